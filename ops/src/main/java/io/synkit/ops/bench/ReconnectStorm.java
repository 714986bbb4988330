package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.SendRequest;
import io.synkit.sim.report.LatencyPercentiles;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The storm of {@code ops bench connections --storm}: the client workers' {@link StormClient}s
 * fill one access node; it goes away (drained through the operator's path, SIGTERM, or killed with
 * SIGKILL); while its clients come back on the others, a sender on another node sends a message
 * to a sample of them, spread over the first second. The storm is over when every client reported
 * itself back and synced and every sampled user's sync delivered its message, or when the wait
 * ends. Reports the time until all were back and synced (messages included), the most attempts of
 * one client within any second, attempts and refusals, auth latency, and what was lost.
 */
final class ReconnectStorm {

    /** How the node holding the links goes away. */
    enum Kind {
        /** SIGTERM: the node drains (listener closed, GoAways in paced batches). */
        DRAIN,
        /** SIGKILL: the links just drop. */
        KILL
    }

    static final long ALL_BACK_MS_TARGET = 10_000;
    static final long AUTH_P99_MS_TARGET = 1_000;
    static final int ATTEMPTS_PER_SECOND_TARGET = 1;
    private static final long LATENCY_US_MAX = TimeUnit.MINUTES.toMicros(10);
    private static final long SEND_SPREAD_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * @param back clients back and synced
     * @param lost sampled users whose storm message no sync delivered
     * @param sendErrors frames other than SendAck and Notify the sender received
     */
    record Result(int links, int back, int lost, List<String> sendErrors) {
        boolean complete() {
            return back == links && lost == 0 && sendErrors.isEmpty();
        }
    }

    private ReconnectStorm() {
    }

    /**
     * @param goAway makes the node go away (called at the storm's start)
     * @param survivor an access node that stays, for the sender
     */
    static Result run(Kind kind, GoAway goAway, EventLoopGroup loops, InetSocketAddress survivor, ClientWorkers workers, int links,
                      int messages, long waitNs, long deadlineNs) throws Exception {
        ConcurrentLinkedQueue<String> sendErrors = new ConcurrentLinkedQueue<>();
        Channel sender = IdleLinks.open(loops, List.of(survivor), 1, links + 1L, 1, 1, (userId, frame) -> {
            if (!frame.hasSendAck() && !frame.hasNotify()) {
                sendErrors.add(frame.toString().replace('\n', ' '));
            }
        }, deadlineNs).get(0);
        try {
            System.out.printf(Locale.ROOT, "storm: %s of the node holding %,d links, load average %s%n", kind.name().toLowerCase(Locale.ROOT), links,
                    BenchCommand.loadAverage());
            long startNs = System.nanoTime();
            goAway.now();
            Set<Long> waiting = new HashSet<>();
            for (int k = 0; k < messages; k++) {
                long userId = 1 + (long) k * links / messages;
                waiting.add(userId);
                long dueNs = startNs + k * SEND_SPREAD_NS / messages;
                for (long parkNs = dueNs - System.nanoTime(); parkNs > 0; parkNs = dueNs - System.nanoTime()) {
                    LockSupport.parkNanos(parkNs);
                }
                sender.writeAndFlush(ClientFrame.newBuilder().setRequestId(2 + k).setSend(SendRequest.newBuilder()
                        .setConvId("d:" + userId + ":" + (links + 1L)).setClientMsgId(StormClient.STORM_MESSAGE_PREFIX + k)
                        .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("storm"))).build());
            }
            return collect(startNs, workers, links, messages, waiting, Math.min(deadlineNs, startNs + waitNs), sendErrors);
        } finally {
            sender.close();
        }
    }

    private static Result collect(long startNs, ClientWorkers workers, int links, int messages, Set<Long> waiting, long endNs, ConcurrentLinkedQueue<String> sendErrors) throws Exception {
        Histogram authUs = new Histogram(LATENCY_US_MAX, 3);
        Set<Long> back = new HashSet<>();
        long lastNs = startNs;
        long attempts = 0;
        int attemptsMax = 0;
        int attemptsInOneSecondMax = 0;
        long refused = 0;
        while ((back.size() < links || !waiting.isEmpty()) && System.nanoTime() < endNs) {
            ClientWorkers.Line line = workers.next(endNs);
            if (line == null) {
                continue;
            }
            String[] fields = line.text().split(" ");
            if (fields[0].equals(ConnectionsWorkerCommand.MESSAGE)) {
                if (waiting.remove(Long.parseLong(fields[1]))) {
                    lastNs = Math.max(lastNs, Long.parseLong(fields[2]));
                }
            } else if (fields[0].equals(ConnectionsWorkerCommand.BACK) && back.add(Long.parseLong(fields[1]))) {
                lastNs = Math.max(lastNs, Long.parseLong(fields[3]));
                int clientAttempts = Integer.parseInt(fields[4]);
                attempts += clientAttempts;
                attemptsMax = Math.max(attemptsMax, clientAttempts);
                attemptsInOneSecondMax = Math.max(attemptsInOneSecondMax, Integer.parseInt(fields[5]));
                refused += Integer.parseInt(fields[6]);
                authUs.recordValue(Math.min(LATENCY_US_MAX, Long.parseLong(fields[7]) / 1_000));
            }
        }
        LatencyPercentiles auth = LatencyPercentiles.of(authUs);
        double allBackMs = (lastNs - startNs) / 1e6;
        System.out.printf(Locale.ROOT, "back and synced: %,d of %,d clients; storm messages delivered: %,d of %,d (lost %,d)%n", back.size(), links,
                messages - waiting.size(), messages, waiting.size());
        System.out.printf(Locale.ROOT, "all back and synced (messages included) after %.1f s (target <= %d s: %s)%n", allBackMs / 1000,
                ALL_BACK_MS_TARGET / 1000, back.size() == links && waiting.isEmpty() && allBackMs <= ALL_BACK_MS_TARGET ? "met" : "not met");
        System.out.printf(Locale.ROOT, "attempts: %,d in all, at most %d by one client, at most %d by one client within 1 s (target <= %d: %s);"
                        + " refused %,d%n", attempts, attemptsMax, attemptsInOneSecondMax, ATTEMPTS_PER_SECOND_TARGET,
                attemptsInOneSecondMax <= ATTEMPTS_PER_SECOND_TARGET ? "met" : "not met", refused);
        System.out.printf(Locale.ROOT, "auth latency of the logins that brought them back: p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= %d ms:"
                + " %s)%n", auth.p50Ms(), auth.p99Ms(), auth.maxMs(), AUTH_P99_MS_TARGET, auth.p99Ms() <= AUTH_P99_MS_TARGET ? "met" : "not met");
        System.out.printf(Locale.ROOT, "load average after the storm: %s%n", BenchCommand.loadAverage());
        List<String> errors = List.copyOf(sendErrors);
        if (!errors.isEmpty()) {
            System.out.printf(Locale.ROOT, "sender got %d errors, first: %s%n", errors.size(), errors.get(0));
        }
        return new Result(links, back.size(), waiting.size(), errors);
    }

    /** Makes the node go away. */
    interface GoAway {
        void now() throws Exception;
    }
}

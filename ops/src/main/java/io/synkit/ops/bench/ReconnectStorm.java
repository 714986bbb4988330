package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.SendRequest;
import io.synkit.sim.report.LatencyPercentiles;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    /** Sends in flight at most: below the access node's per-link limit (64), so none is refused for it. */
    private static final int SEND_WINDOW = 32;
    private static final long SEND_POLL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * @param back clients back and synced
     * @param lost sampled users whose storm message no sync delivered
     * @param unacked storm messages the sender got no SendAck for
     */
    record Result(int links, int back, int lost, int unacked) {
        boolean complete() {
            return back == links && lost == 0 && unacked == 0;
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
        Semaphore window = new Semaphore(SEND_WINDOW);
        Map<Long, Integer> sending = new ConcurrentHashMap<>();
        BlockingQueue<Integer> resend = new LinkedBlockingQueue<>();
        AtomicInteger acked = new AtomicInteger();
        ConcurrentLinkedQueue<String> sendErrors = new ConcurrentLinkedQueue<>();
        Channel sender = IdleLinks.open(loops, List.of(survivor), 1, links + 1L, 1, 1, (userId, frame) -> {
            Integer k = sending.remove(frame.getRequestId());
            if (k == null) {
                return; // a Notify of the sender's own inbox
            }
            if (frame.hasSendAck()) {
                acked.incrementAndGet();
            } else {
                sendErrors.add(frame.toString().replace('\n', ' '));
                resend.add(k);
            }
            window.release();
        }, deadlineNs).get(0);
        try {
            System.out.printf(Locale.ROOT, "storm: %s of the node holding %,d links, load average %s%n", kind.name().toLowerCase(Locale.ROOT), links,
                    BenchCommand.loadAverage());
            long startNs = System.nanoTime();
            long endNs = Math.min(deadlineNs, startNs + waitNs);
            goAway.now();
            Set<Long> waiting = new HashSet<>();
            long[] requestIds = {1};
            for (int k = 0; k < messages; k++) {
                waiting.add(recipient(k, links, messages));
                long dueNs = startNs + k * SEND_SPREAD_NS / messages;
                for (long parkNs = dueNs - System.nanoTime(); parkNs > 0; parkNs = dueNs - System.nanoTime()) {
                    LockSupport.parkNanos(parkNs);
                }
                for (Integer again = resend.poll(); again != null; again = resend.poll()) {
                    send(sender, window, sending, requestIds, again, links, messages, endNs);
                }
                send(sender, window, sending, requestIds, k, links, messages, endNs);
            }
            while (acked.get() < messages && System.nanoTime() < endNs) {
                Integer again = resend.poll(Math.min(SEND_POLL_NS, Math.max(0, endNs - System.nanoTime())), TimeUnit.NANOSECONDS);
                if (again != null) {
                    send(sender, window, sending, requestIds, again, links, messages, endNs);
                }
            }
            if (!sendErrors.isEmpty()) {
                System.out.printf(Locale.ROOT, "sender: %d sends refused and sent again, first: %s%n", sendErrors.size(), sendErrors.peek());
            }
            return collect(startNs, workers, links, messages, waiting, endNs, acked.get());
        } finally {
            sender.close();
        }
    }

    /** The sampled users spread evenly over all the links. */
    private static long recipient(int k, int links, int messages) {
        return 1 + (long) k * links / messages;
    }

    /** Sends storm message {@code k} (again, with its same client_msg_id, if it was refused) once the window allows. */
    private static void send(Channel sender, Semaphore window, Map<Long, Integer> sending, long[] requestIds, int k, int links, int messages,
                             long endNs) throws InterruptedException {
        if (!window.tryAcquire(Math.max(0, endNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return;
        }
        long requestId = ++requestIds[0];
        sending.put(requestId, k);
        sender.writeAndFlush(ClientFrame.newBuilder().setRequestId(requestId).setSend(SendRequest.newBuilder()
                .setConvId("d:" + recipient(k, links, messages) + ":" + (links + 1L)).setClientMsgId(StormClient.STORM_MESSAGE_PREFIX + k)
                .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("storm"))).build());
    }

    private static Result collect(long startNs, ClientWorkers workers, int links, int messages, Set<Long> waiting, long endNs, int acked)
            throws Exception {
        Histogram authUs = new Histogram(LATENCY_US_MAX, 3);
        ComebackSeconds bySecond = new ComebackSeconds(startNs, LATENCY_US_MAX);
        Set<Long> back = new HashSet<>();
        long lastNs = startNs;
        long attempts = 0;
        int attemptsMax = 0;
        int attemptsInOneSecondMax = 0;
        long refused = 0;
        List<long[]> loopLagsUs = new ArrayList<>();
        while ((back.size() < links || !waiting.isEmpty() || loopLagsUs.size() < workers.count()) && System.nanoTime() < endNs) {
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
                long backNs = Long.parseLong(fields[3]);
                long authLatencyNs = Long.parseLong(fields[7]);
                lastNs = Math.max(lastNs, backNs);
                int clientAttempts = Integer.parseInt(fields[4]);
                attempts += clientAttempts;
                attemptsMax = Math.max(attemptsMax, clientAttempts);
                attemptsInOneSecondMax = Math.max(attemptsInOneSecondMax, Integer.parseInt(fields[5]));
                refused += Integer.parseInt(fields[6]);
                authUs.recordValue(Math.min(LATENCY_US_MAX, authLatencyNs / 1_000));
                bySecond.back(backNs, clientAttempts, authLatencyNs);
            } else if (fields[0].equals(ConnectionsWorkerCommand.LOOP_LAG)) {
                loopLagsUs.add(new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3])});
            }
        }
        LatencyPercentiles auth = LatencyPercentiles.of(authUs);
        double allBackMs = (lastNs - startNs) / 1e6;
        System.out.printf(Locale.ROOT, "back and synced: %,d of %,d clients; storm messages acked: %,d of %,d, delivered: %,d of %,d (lost %,d)%n",
                back.size(), links, acked, messages, messages - waiting.size(), messages, waiting.size());
        if (!waiting.isEmpty()) {
            System.out.printf(Locale.ROOT, "storm messages not delivered to users: %s%n", waiting.stream().sorted().limit(20).toList());
        }
        System.out.printf(Locale.ROOT, "all back and synced (messages included) after %.1f s (target <= %d s: %s)%n", allBackMs / 1000,
                ALL_BACK_MS_TARGET / 1000, back.size() == links && waiting.isEmpty() && allBackMs <= ALL_BACK_MS_TARGET ? "met" : "not met");
        System.out.printf(Locale.ROOT, "attempts: %,d in all, at most %d by one client, at most %d by one client within 1 s (target <= %d: %s);"
                        + " refused %,d%n", attempts, attemptsMax, attemptsInOneSecondMax, ATTEMPTS_PER_SECOND_TARGET,
                attemptsInOneSecondMax <= ATTEMPTS_PER_SECOND_TARGET ? "met" : "not met", refused);
        System.out.printf(Locale.ROOT, "auth latency of the logins that brought them back: p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 <= %d ms:"
                + " %s)%n", auth.p50Ms(), auth.p99Ms(), auth.maxMs(), AUTH_P99_MS_TARGET, auth.p99Ms() <= AUTH_P99_MS_TARGET ? "met" : "not met");
        bySecond.print();
        for (long[] lagUs : loopLagsUs) {
            System.out.printf(Locale.ROOT, "a client worker's own event loops ran their work late by p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                    + " (probed every %d ms from its first lost link to its last client back)%n", lagUs[0] / 1e3, lagUs[1] / 1e3, lagUs[2] / 1e3,
                    EventLoopLag.PERIOD_MS);
        }
        System.out.printf(Locale.ROOT, "load average after the storm: %s%n", BenchCommand.loadAverage());
        return new Result(links, back.size(), waiting.size(), messages - acked);
    }

    /** Makes the node go away. */
    interface GoAway {
        void now() throws Exception;
    }
}

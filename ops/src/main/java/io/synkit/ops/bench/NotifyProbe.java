package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.SendRequest;
import io.synkit.sim.report.LatencyPercentiles;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Notify latency to idle links: one sender sends a 1:1 message to each of a sample of the idle
 * users at a constant rate (open loop), and each latency runs from the send's intended time to
 * the moment the user's link, in a client worker, received the Notify. Users of the sample are
 * spread evenly over all the links, so every access node and worker has its share.
 */
final class NotifyProbe {

    /** Latencies recorded up to this, at 3 significant digits: fixed up front, recording never allocates. */
    private static final long LATENCY_US_MAX = TimeUnit.MINUTES.toMicros(10);

    /**
     * @param missing sample users whose link got no Notify before the deadline
     * @param sendErrors frames other than SendAck the sender received
     */
    record Result(LatencyPercentiles latency, int sampled, int missing, List<String> sendErrors) {
    }

    private NotifyProbe() {
    }

    static Result run(EventLoopGroup loops, InetSocketAddress access, ClientWorkers workers, long linkCount, int sample, int ratePerS,
                      long senderUserId, long notifyWaitNs, long deadlineNs) throws Exception {
        ConcurrentLinkedQueue<String> sendErrors = new ConcurrentLinkedQueue<>();
        Channel sender = IdleLinks.open(loops, List.of(access), 1, senderUserId, 1, 1, (userId, frame) -> {
            if (!frame.hasSendAck() && !frame.hasNotify()) {
                sendErrors.add(frame.toString().replace('\n', ' '));
            }
        }, deadlineNs).get(0);
        try {
            Map<Long, Long> intendedNs = new HashMap<>();
            long startNs = System.nanoTime();
            long intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerS;
            for (int k = 0; k < sample; k++) {
                long userId = 1 + k * linkCount / sample;
                long dueNs = startNs + k * intervalNs;
                for (long waitNs = dueNs - System.nanoTime(); waitNs > 0; waitNs = dueNs - System.nanoTime()) {
                    LockSupport.parkNanos(waitNs);
                }
                intendedNs.put(userId, dueNs);
                sender.writeAndFlush(ClientFrame.newBuilder().setRequestId(2 + k).setSend(SendRequest.newBuilder()
                        .setConvId("d:" + Math.min(userId, senderUserId) + ":" + Math.max(userId, senderUserId)).setClientMsgId("notify-probe-" + k)
                        .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("ping"))).build());
            }
            Histogram latencyUs = new Histogram(LATENCY_US_MAX, 3);
            long waitEndNs = Math.min(deadlineNs, System.nanoTime() + notifyWaitNs);
            while (!intendedNs.isEmpty() && System.nanoTime() < waitEndNs) {
                ClientWorkers.Line line = workers.next(waitEndNs);
                if (line == null || !line.text().startsWith(ConnectionsWorkerCommand.NOTIFY)) {
                    continue;
                }
                String[] fields = line.text().split(" ");
                Long due = intendedNs.remove(Long.parseLong(fields[1]));
                if (due != null) {
                    latencyUs.recordValue(Math.min(LATENCY_US_MAX, Math.max(0, (Long.parseLong(fields[2]) - due) / 1_000)));
                }
            }
            return new Result(LatencyPercentiles.of(latencyUs), sample, intendedNs.size(), List.copyOf(sendErrors));
        } finally {
            sender.close();
        }
    }
}

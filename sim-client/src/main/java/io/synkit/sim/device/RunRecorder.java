package io.synkit.sim.device;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Everything a run records: every send (invoked, acked or failed, with times) and latency
 * histograms. Histograms have a fixed range (1 µs to 1 hour, 3 significant digits) so recording
 * never allocates; latencies are measured from the intended send time, so a stalled system is
 * not hidden by senders that stalled with it (coordinated omission).
 */
public final class RunRecorder {

    private static final long LATENCY_US_MAX = TimeUnit.HOURS.toMicros(1);

    private final Map<String, SendRecord> sends = new ConcurrentHashMap<>();
    private final Histogram ackLatencyUs = new ConcurrentHistogram(1, LATENCY_US_MAX, 3);
    private final Histogram deliveryLatencyUs = new ConcurrentHistogram(1, LATENCY_US_MAX, 3);
    private final Histogram syncLatencyUs = new ConcurrentHistogram(1, LATENCY_US_MAX, 3);
    private final LongAdder syncFailures = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder digestMismatches = new LongAdder();

    public void invoked(SendRecord send) {
        sends.put(send.key(), send);
    }

    public void acked(SendRecord send, long nowNanos) {
        send.ackNanos = nowNanos;
        ackLatencyUs.recordValue(clampUs(nowNanos - send.intendedNanos));
    }

    /** A device received a message; latency counts only for other users' messages (recipients). */
    public void delivered(Delivery delivery, long receiverUserId) {
        deliveries.increment();
        SendRecord send = sends.get(delivery.messageKey());
        if (send != null && receiverUserId != delivery.senderUserId()) {
            deliveryLatencyUs.recordValue(clampUs(delivery.receivedNanos() - send.intendedNanos));
        }
    }

    /** One sync request answered (or failed) after {@code nanos}; a sync is a request/response, timed from its sending. */
    public void synced(long nanos, boolean failed) {
        syncLatencyUs.recordValue(clampUs(nanos));
        if (failed) {
            syncFailures.increment();
        }
    }

    public Histogram syncLatencyUs() {
        return syncLatencyUs;
    }

    public long syncFailures() {
        return syncFailures.sum();
    }

    public void digestMismatch() {
        digestMismatches.increment();
    }

    public Collection<SendRecord> sends() {
        return sends.values();
    }

    public SendRecord send(String key) {
        return sends.get(key);
    }

    public long deliveryCount() {
        return deliveries.sum();
    }

    public long digestMismatches() {
        return digestMismatches.sum();
    }

    public Histogram ackLatencyUs() {
        return ackLatencyUs;
    }

    public Histogram deliveryLatencyUs() {
        return deliveryLatencyUs;
    }

    private static long clampUs(long nanos) {
        return Math.min(LATENCY_US_MAX, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }
}

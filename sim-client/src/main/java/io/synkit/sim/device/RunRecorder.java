package io.synkit.sim.device;

import io.synkit.sim.device.OperationHistory.Outcome;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Everything a run records: every message sent (invoked, acked or failed, with times), every
 * request a device made ({@link OperationHistory}: each send attempt and each sync), and latency
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
    private final LongAdder syncsOk = new LongAdder();
    private final LongAdder syncsFailed = new LongAdder();
    private final LongAdder syncsUnknown = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder digestMismatches = new LongAdder();
    private final OperationHistory history;

    /** @param startNanos the run's start on the run's clock: history times count from it */
    public RunRecorder(long startNanos) {
        this.history = new OperationHistory(startNanos);
    }

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

    /** One send attempt of {@code send} (its {@code attempt}-th) ended. */
    public void sendAttempted(SendRecord send, int attempt, long invokeNanos, long completeNanos, Outcome outcome, String error) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("conv", send.convId);
        fields.put("client_msg_id", send.clientMsgId);
        fields.put("attempt", attempt);
        if (outcome == Outcome.OK) {
            fields.put("conv_seq", send.convSeq);
            fields.put("seq", send.seq);
        }
        history.add(new OperationHistory.Operation("send", send.senderUserId, send.senderDeviceId, invokeNanos, completeNanos, outcome, error, fields));
    }

    /**
     * One sync request ended; a sync is a request/response, timed from its sending.
     *
     * @param fromSeq the inbox seq of the key it sent
     * @param toSeq the inbox seq of the key it got back (ok only)
     * @param ops ops it got back (ok only)
     */
    public void synced(long userId, String deviceId, long invokeNanos, long completeNanos, Outcome outcome, String error, long fromSeq, long toSeq,
                       int ops, boolean hasMore) {
        syncLatencyUs.recordValue(clampUs(completeNanos - invokeNanos));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("from_seq", fromSeq);
        if (outcome == Outcome.OK) {
            fields.put("to_seq", toSeq);
            fields.put("ops", ops);
            fields.put("has_more", hasMore);
        }
        history.add(new OperationHistory.Operation("sync", userId, deviceId, invokeNanos, completeNanos, outcome, error, fields));
        switch (outcome) {
            case OK -> syncsOk.increment();
            case FAILED -> syncsFailed.increment();
            case UNKNOWN -> syncsUnknown.increment();
        }
    }

    public OperationCounts syncCounts() {
        long ok = syncsOk.sum();
        long failed = syncsFailed.sum();
        long unknown = syncsUnknown.sum();
        return new OperationCounts(ok + failed + unknown, ok, failed, unknown);
    }

    /** Sends: invoked once per message however often retried; unknown = neither acked nor refused by the end. */
    public OperationCounts sendCounts() {
        long invoked = 0;
        long ok = 0;
        long failed = 0;
        for (SendRecord send : sends.values()) {
            invoked++;
            ok += send.acked() ? 1 : 0;
            failed += !send.acked() && send.failure != null ? 1 : 0;
        }
        return new OperationCounts(invoked, ok, failed, invoked - ok - failed);
    }

    /** Every request devices made, for {@code history.jsonl}. */
    public OperationHistory history() {
        return history;
    }

    public Histogram syncLatencyUs() {
        return syncLatencyUs;
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

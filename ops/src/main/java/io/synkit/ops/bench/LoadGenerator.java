package io.synkit.ops.bench;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives one kind of asynchronous operation (a synkit SET's {@code AppendConv}, a Kafka produce)
 * the same way for every system a benchmark compares: closed loop with a fixed number in flight
 * (warm-up, saturation), or open loop at a fixed rate with each op timed from its intended send
 * time (coordinated omission corrected, as wrk2 does).
 */
final class LoadGenerator {

    /** One operation; the future completes when the system acknowledged it (or failed it). */
    @FunctionalInterface
    interface AsyncOp {
        CompletableFuture<?> send();
    }

    /**
     * @param done ops acknowledged
     * @param latencyUs of every op, failed ones included (a failure is a latency too)
     * @param failureKinds count by message, digits replaced by N
     */
    record Outcome(long done, long failed, double elapsedS, Histogram latencyUs, Map<String, Long> failureKinds) {

        double perSecond() {
            return done / Math.max(1e-9, elapsedS);
        }
    }

    static final long LATENCY_US_MAX = 3_600_000_000L;
    /** The open loop sleeps at least this long: ops that fall due meanwhile leave together on waking. */
    private static final long PACING_NS = TimeUnit.MICROSECONDS.toNanos(500);
    /** After a fixed-rate phase's last send, how long its last replies may take. */
    private static final long DRAIN_TIMEOUT_MS = 60_000;

    private final AsyncOp op;
    private final LongConsumer progress;

    /** @param progress told of each op acknowledged (for the progress line) */
    LoadGenerator(AsyncOp op, LongConsumer progress) {
        this.op = op;
        this.progress = progress;
    }

    /** Closed loop with {@code inflightMax} ops in flight for {@code durationMs}: the throughput ceiling. */
    Outcome closedLoop(int inflightMax, long durationMs) throws InterruptedException {
        Semaphore slots = new Semaphore(inflightMax);
        Recorder recorder = new Recorder();
        long startNs = System.nanoTime();
        long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(durationMs);
        while (System.nanoTime() < endNs) {
            if (!slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                continue;
            }
            long sentNs = System.nanoTime();
            send(recorder, sentNs, slots::release);
        }
        if (!slots.tryAcquire(inflightMax, DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("ops still unanswered " + DRAIN_TIMEOUT_MS + " ms after the closed loop stopped sending");
        }
        return recorder.outcome((System.nanoTime() - startNs) / 1e9);
    }

    /** Open loop at {@code rate} ops/s for {@code durationMs}; throughput counts from the first send to the last reply. */
    Outcome fixedRate(int rate, long durationMs) throws InterruptedException {
        Recorder recorder = new Recorder();
        AtomicLong outstanding = new AtomicLong();
        long startNs = System.nanoTime();
        long total = rate * durationMs / 1000;
        double intervalNs = 1e9 / rate;
        for (long i = 0; i < total; i++) {
            long intendedNs = startNs + (long) (i * intervalNs);
            long waitNs = intendedNs - System.nanoTime();
            if (waitNs > 0) {
                // A wake-up per op would cost the shared cores more than the op; latency still
                // counts from each op's intended time, this wait included.
                LockSupport.parkNanos(Math.max(waitNs, PACING_NS));
            }
            outstanding.incrementAndGet();
            send(recorder, intendedNs, outstanding::decrementAndGet);
        }
        long drainDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
        while (outstanding.get() > 0) {
            if (System.nanoTime() > drainDeadlineNs) {
                throw new IllegalStateException(outstanding.get() + " ops still unanswered " + DRAIN_TIMEOUT_MS + " ms after the last send at "
                        + rate + "/s");
            }
            Thread.sleep(5); // the last replies of a bounded phase; bounded by the drain timeout
        }
        return recorder.outcome((System.nanoTime() - startNs) / 1e9);
    }

    private void send(Recorder recorder, long fromNs, Runnable release) {
        CompletableFuture<?> reply;
        try {
            reply = op.send();
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((ok, failure) -> {
            recorder.record(fromNs, failure);
            if (failure == null) {
                progress.accept(1);
            }
            release.run();
        });
    }

    /** What one phase's replies add up to; safe from any reply thread. */
    private static final class Recorder {
        private final Histogram latencyUs = new ConcurrentHistogram(LATENCY_US_MAX, 3);
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final Map<String, AtomicLong> failureKinds = new ConcurrentHashMap<>();

        void record(long fromNs, Throwable failure) {
            latencyUs.recordValue(Math.min(LATENCY_US_MAX, Math.max(1, (System.nanoTime() - fromNs) / 1000)));
            if (failure == null) {
                done.incrementAndGet();
                return;
            }
            failed.incrementAndGet();
            Throwable cause = failure.getCause() != null && failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
            String kind = (cause.getClass().getSimpleName() + ": " + cause.getMessage()).replaceAll("[0-9]+", "N");
            failureKinds.computeIfAbsent(kind.length() > 120 ? kind.substring(0, 120) : kind, k -> new AtomicLong()).incrementAndGet();
        }

        Outcome outcome(double elapsedS) {
            Map<String, Long> kinds = new java.util.TreeMap<>();
            failureKinds.forEach((kind, count) -> kinds.put(kind, count.get()));
            Histogram copy = new Histogram(LATENCY_US_MAX, 3);
            copy.add(latencyUs);
            return new Outcome(done.get(), failed.get(), elapsedS, copy, kinds);
        }
    }

    static String describe(Histogram latencyUs) {
        return String.format(Locale.ROOT, "p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms (n=%d)", latencyUs.getValueAtPercentile(50) / 1000.0,
                latencyUs.getValueAtPercentile(99) / 1000.0, latencyUs.getValueAtPercentile(99.9) / 1000.0, latencyUs.getMaxValue() / 1000.0,
                latencyUs.getTotalCount());
    }
}

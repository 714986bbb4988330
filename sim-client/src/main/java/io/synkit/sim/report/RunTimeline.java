package io.synkit.sim.report;

import io.synkit.sim.run.RunObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened during a run, over time: cumulative counts sampled about once a second, and
 * fault markers. Plug it into {@code LoadRun.observedBy} and hand it to {@link ReportWriter}.
 *
 * <p>Thread-safe: the send loop samples while fault threads mark faults, so every method holds
 * the timeline's lock; getters return immutable snapshots. Bounded: past
 * {@link #SAMPLE_COUNT_MAX} samples or {@link #FAULT_COUNT_MAX} faults, further ones are only
 * counted ({@link #samplesDroppedCount()}, {@link #faultsDroppedCount()}).
 */
public final class RunTimeline implements RunObserver {

    /** About 27 hours at one sample a second. */
    public static final int SAMPLE_COUNT_MAX = 100_000;
    public static final int FAULT_COUNT_MAX = 10_000;

    /** Cumulative counts since sending started. */
    public record Sample(long elapsedMs, long sent, long acked, long delivered) {
    }

    /** A fault injected at {@code elapsedMs}, e.g. "SIGKILL s1-r0". */
    public record Fault(long elapsedMs, String label) {
    }

    /** Counts per second over the interval that ends at {@code elapsedMs} (since the previous sample, or since 0). */
    public record Rate(long elapsedMs, double sentPerS, double ackedPerS, double deliveredPerS) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private long samplesDroppedCount;
    private long faultsDroppedCount;

    /**
     * @throws IllegalArgumentException if {@code elapsedMs} is negative or not after the previous
     *         sample's: rates would divide by a zero or negative interval
     */
    @Override
    public synchronized void sample(long elapsedMs, long sent, long acked, long delivered) {
        if (elapsedMs < 0) {
            throw new IllegalArgumentException("sample elapsedMs=" + elapsedMs + " must be >= 0");
        }
        if (!samples.isEmpty() && elapsedMs <= samples.get(samples.size() - 1).elapsedMs()) {
            throw new IllegalArgumentException("sample elapsedMs=" + elapsedMs + " must be after the previous sample's elapsedMs="
                    + samples.get(samples.size() - 1).elapsedMs());
        }
        if (samples.size() >= SAMPLE_COUNT_MAX) {
            samplesDroppedCount++;
            return;
        }
        samples.add(new Sample(elapsedMs, sent, acked, delivered));
    }

    /** Faults may arrive out of time order (each runs on its own thread); they are kept in arrival order. */
    @Override
    public synchronized void fault(long elapsedMs, String label) {
        if (faults.size() >= FAULT_COUNT_MAX) {
            faultsDroppedCount++;
            return;
        }
        faults.add(new Fault(elapsedMs, String.valueOf(label)));
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    public synchronized List<Fault> faults() {
        return List.copyOf(faults);
    }

    public synchronized long samplesDroppedCount() {
        return samplesDroppedCount;
    }

    public synchronized long faultsDroppedCount() {
        return faultsDroppedCount;
    }

    /** The rates of {@link #samples()}. */
    public List<Rate> rates() {
        return rates(samples());
    }

    /**
     * One rate per sample, from the difference to the previous sample (or to zero counts at 0 ms).
     * Samples are in time order, as the timeline keeps them; a sample at 0 ms has rate 0.
     */
    public static List<Rate> rates(List<Sample> samples) {
        List<Rate> rates = new ArrayList<>(samples.size());
        Sample previous = new Sample(0, 0, 0, 0);
        for (Sample sample : samples) {
            long intervalMs = sample.elapsedMs() - previous.elapsedMs();
            double perS = intervalMs == 0 ? 0.0 : 1000.0 / intervalMs;
            rates.add(new Rate(sample.elapsedMs(), (sample.sent() - previous.sent()) * perS, (sample.acked() - previous.acked()) * perS,
                    (sample.delivered() - previous.delivered()) * perS));
            previous = sample;
        }
        return List.copyOf(rates);
    }
}

package io.synkit.runtime;

import java.util.concurrent.TimeUnit;

/**
 * A {@link Clock} that only moves when told: tests freeze time, advance it past a deadline, or
 * step the wall clock alone as NTP would, and get the same run every time. Safe to read from any
 * thread.
 */
public final class ManualClock implements Clock {

    private long wallMs;
    private long monotonicNs;

    /**
     * @param wallMs wall-clock time to start at
     * @param monotonicNs monotonic time to start at (near a wrap of int milliseconds, say, if a test wants one)
     */
    public ManualClock(long wallMs, long monotonicNs) {
        this.wallMs = wallMs;
        this.monotonicNs = monotonicNs;
    }

    /** Starts with monotonic time at the same instant as the wall clock. */
    public ManualClock(long wallMs) {
        this(wallMs, TimeUnit.MILLISECONDS.toNanos(wallMs));
    }

    @Override
    public synchronized long nowMs() {
        return wallMs;
    }

    @Override
    public synchronized long nanoTime() {
        return monotonicNs;
    }

    /** Time passes: wall and monotonic clocks both move forward by {@code ms}. */
    public synchronized void advanceMs(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("ms=" + ms + ": time only passes forwards (stepWallMs sets the wall clock)");
        }
        wallMs += ms;
        monotonicNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** The wall clock is set, forwards or backwards (an NTP step); monotonic time does not move. */
    public synchronized void stepWallMs(long wallMs) {
        this.wallMs = wallMs;
    }
}

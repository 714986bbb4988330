package io.synkit.access.link;

import io.synkit.runtime.Clock;
import java.util.concurrent.TimeUnit;

/** A clock tests move by hand; wall and monotonic time advance together. */
public final class ManualClock implements Clock {

    private long nowMs;
    private long nanoTime;

    /**
     * @param wallMs wall-clock time to start at
     * @param monotonicNs monotonic time to start at (near a wrap of the links' int milliseconds, if a test wants one)
     */
    public ManualClock(long wallMs, long monotonicNs) {
        this.nowMs = wallMs;
        this.nanoTime = monotonicNs;
    }

    @Override
    public synchronized long nowMs() {
        return nowMs;
    }

    @Override
    public synchronized long nanoTime() {
        return nanoTime;
    }

    public synchronized void advanceMs(long ms) {
        nowMs += ms;
        nanoTime += TimeUnit.MILLISECONDS.toNanos(ms);
    }
}

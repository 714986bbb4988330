package io.synkit.store.write;

import io.synkit.runtime.Clock;

/** A wall clock the test sets, forwards or backwards (a stepped NTP clock), as it likes. */
final class ManualClock implements Clock {

    private volatile long nowMs;

    ManualClock(long nowMs) {
        this.nowMs = nowMs;
    }

    void setMs(long nowMs) {
        this.nowMs = nowMs;
    }

    @Override
    public long nowMs() {
        return nowMs;
    }

    @Override
    public long nanoTime() {
        return nowMs * 1_000_000;
    }
}

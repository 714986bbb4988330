package io.synkit.runtime;

/**
 * Time as our code sees it. Production uses {@link #SYSTEM}; tests and the simulator inject a
 * clock they freeze and advance, so timeouts, leases and token expiry are deterministic.
 */
public interface Clock {

    /** Wall-clock time in milliseconds since the epoch (for expiry and server_time_ms only). */
    long nowMs();

    /** Monotonic time in nanoseconds (for durations and timeouts). */
    long nanoTime();

    Clock SYSTEM = new Clock() {
        @Override
        public long nowMs() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };
}

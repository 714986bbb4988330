package io.synkit.logic.store;

import java.util.random.RandomGenerator;

/**
 * How a caller retries a store SET: at most {@code attemptsMax} attempts, each bounded by
 * {@code attemptTimeoutMs}, with exponential backoff from {@code backoffBaseMs} capped at
 * {@code backoffMaxMs} and full jitter (so a crowd of callers does not retry in lockstep).
 */
public record StoreRetryPolicy(int attemptsMax, long attemptTimeoutMs, long backoffBaseMs, long backoffMaxMs) {

    public StoreRetryPolicy {
        if (attemptsMax < 1 || attemptTimeoutMs < 1 || backoffBaseMs < 1 || backoffMaxMs < backoffBaseMs) {
            throw new IllegalArgumentException("retry policy attemptsMax=" + attemptsMax + " attemptTimeoutMs=" + attemptTimeoutMs
                    + " backoffBaseMs=" + backoffBaseMs + " backoffMaxMs=" + backoffMaxMs + ": need all >= 1 and backoffMaxMs >= backoffBaseMs");
        }
    }

    public static StoreRetryPolicy defaults() {
        return new StoreRetryPolicy(8, 2000, 20, 500);
    }

    /** Delay before attempt {@code failedAttempt + 1}: uniform in [0, min(max, base * 2^(failed-1))]. */
    public long backoffMs(int failedAttempt, RandomGenerator random) {
        long ceilingMs = Math.min(backoffMaxMs, backoffBaseMs << Math.min(failedAttempt - 1, 20));
        return random.nextLong(ceilingMs + 1);
    }
}

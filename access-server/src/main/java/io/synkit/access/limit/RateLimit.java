package io.synkit.access.limit;

import io.synkit.runtime.ConfigException;

/**
 * One token bucket's shape and what repeated abuse costs ({@link RateLimiter}). A key (an address,
 * a user) may spend {@code ratePerS} tokens a second with up to {@code burst} saved up; a request
 * beyond is refused with a retry-after. A key with {@code strikesToBlock} strikes (misbehaviour),
 * each within a minute of the one before, is blocked for {@code blockBaseMs}, doubled at each
 * further block, at most {@code blockMaxMs}; a key that behaves for {@code blockMaxMs} after a
 * block starts again at the base. {@code ratePerS} 0 turns the limit (and the blocks) off.
 */
public record RateLimit(String keyPrefix, int ratePerS, int burst, int strikesToBlock, int blockBaseMs, int blockMaxMs) {

    /** No limit (tests, benchmarks). */
    public static RateLimit off(String keyPrefix) {
        return new RateLimit(keyPrefix, 0, 1, 1, 1, 1);
    }

    public RateLimit {
        if (ratePerS < 0 || burst < 1 || strikesToBlock < 1 || blockBaseMs < 1) {
            throw new ConfigException("config: " + keyPrefix + "rate.per.s=" + ratePerS + " must be >= 0, and " + keyPrefix + "burst=" + burst
                    + ", " + keyPrefix + "block.strikes=" + strikesToBlock + ", " + keyPrefix + "block.base.ms=" + blockBaseMs + " >= 1");
        }
        if (blockMaxMs < blockBaseMs) {
            throw new ConfigException("config: " + keyPrefix + "block.max.ms=" + blockMaxMs + " must be >= " + keyPrefix + "block.base.ms=" + blockBaseMs);
        }
    }

    public boolean enabled() {
        return ratePerS > 0;
    }
}

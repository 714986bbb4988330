package io.synkit.access.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synkit.runtime.ManualClock;
import org.junit.jupiter.api.Test;

/** Token buckets by key with escalating blocks, on a clock the test moves. */
class RateLimiterTest {

    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    /** 10 a second, 5 saved up, 3 strikes block for 1 s doubling up to 8 s. */
    private RateLimiter<String> limiter(boolean limitedIsAbuse) {
        return new RateLimiter<>(new RateLimit("test.", 10, 5, 3, 1000, 8000), limitedIsAbuse, clock, 100, metrics, "test");
    }

    @Test
    void aKeySpendsItsBurstThenItsRateAndIsToldHowLongToWait() {
        RateLimiter<String> limiter = limiter(false);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.spend("a", 1).allowed(), "spend " + i);
        }
        Verdict refused = limiter.spend("a", 1);
        assertEquals(new Verdict(Verdict.Outcome.LIMITED, 100), refused);
        assertTrue(limiter.spend("b", 1).allowed(), "another key has its own bucket");

        clock.advanceMs(100);
        assertTrue(limiter.spend("a", 1).allowed(), "one token back after 100 ms");
        assertEquals(Verdict.Outcome.LIMITED, limiter.spend("a", 1).outcome());
        assertEquals(1, metrics.counter("synkit_access_rate_limited", "scope", "test", "outcome", "limited").count(), 1);
    }

    @Test
    void aPacedKeyIsNeverBlockedWhenBeingLimitedIsNoAbuse() {
        RateLimiter<String> limiter = limiter(false);
        for (int i = 0; i < 100; i++) {
            limiter.spend("nat", 1);
        }
        clock.advanceMs(1000);
        assertTrue(limiter.spend("nat", 1).allowed());
    }

    @Test
    void strikesBlockAKeyForLongerEachTimeUpToTheMaximumAndItIsForgivenAfterBehaving() {
        RateLimiter<String> limiter = limiter(false);
        long[] expectedBlocksMs = {1000, 2000, 4000, 8000, 8000};
        for (long blockMs : expectedBlocksMs) {
            limiter.strike("x");
            limiter.strike("x");
            limiter.strike("x");
            Verdict blocked = limiter.spend("x", 1);
            assertEquals(new Verdict(Verdict.Outcome.BLOCKED, (int) blockMs), blocked);
            clock.advanceMs(blockMs - 1);
            assertEquals(Verdict.Outcome.BLOCKED, limiter.spend("x", 1).outcome());
            clock.advanceMs(1);
            assertTrue(limiter.spend("x", 1).allowed(), "free again after " + blockMs + " ms");
        }
        clock.advanceMs(8001);
        limiter.strike("x");
        limiter.strike("x");
        limiter.strike("x");
        assertEquals(new Verdict(Verdict.Outcome.BLOCKED, 1000), limiter.spend("x", 1), "back to the base after behaving");
    }

    @Test
    void strikesFurtherApartThanTheirMemoryDoNotAddUp() {
        RateLimiter<String> limiter = limiter(false);
        for (int i = 0; i < 10; i++) {
            limiter.strike("slow");
            clock.advanceMs(RateLimiter.STRIKE_MEMORY_MS + 1);
        }
        assertTrue(limiter.spend("slow", 1).allowed());
    }

    @Test
    void repeatedlyLimitedKeysAreBlockedWhenBeingLimitedIsAbuse() {
        RateLimiter<String> limiter = limiter(true);
        for (int i = 0; i < 5; i++) {
            limiter.spend("user", 1);
        }
        assertEquals(Verdict.Outcome.LIMITED, limiter.spend("user", 1).outcome());
        assertEquals(Verdict.Outcome.LIMITED, limiter.spend("user", 1).outcome());
        assertEquals(new Verdict(Verdict.Outcome.BLOCKED, 1000), limiter.spend("user", 1));
        assertEquals(1, metrics.counter("synkit_access_rate_blocks", "scope", "test").count());
    }

    @Test
    void theSweepForgetsKeysThatBehaveAndKeepsRecentAbusers() {
        RateLimiter<String> limiter = limiter(false);
        limiter.spend("idle", 1);
        limiter.strike("abuser");
        assertEquals(2, limiter.keyCount());

        clock.advanceMs(1000);
        limiter.sweep();

        assertEquals(1, limiter.keyCount(), "the idle key's bucket is full: forgotten; the strike is remembered");
        clock.advanceMs(RateLimiter.STRIKE_MEMORY_MS);
        limiter.sweep();
        assertEquals(0, limiter.keyCount());
    }

    @Test
    void keysBeyondTheTrackedMaximumAndAnOffLimitAreLetThrough() {
        RateLimiter<String> small = new RateLimiter<>(new RateLimit("test.", 1, 1, 1, 1000, 1000), true, clock, 1, metrics, "small");
        small.spend("first", 1);
        for (int i = 0; i < 10; i++) {
            assertTrue(small.spend("second", 1).allowed());
        }
        assertEquals(10, metrics.counter("synkit_access_rate_untracked", "scope", "small").count());
        RateLimiter<String> off = new RateLimiter<>(RateLimit.off("test."), true, clock, 1, metrics, "off");
        for (int i = 0; i < 10; i++) {
            assertTrue(off.spend("k", 1).allowed());
        }
    }
}

package io.synkit.sim.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bucket with time passed in by hand: no clock, no sockets. */
class TokenBucketTest {

    private static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void startsFullWithOneHundredMillisecondsOfBytes() {
        TokenBucket bucket = new TokenBucket(50_000, 0);
        assertEquals(5_000, TokenBucket.capacityBytes(50_000));
        assertEquals(5_000, bucket.take(0, 1_000_000));
        assertEquals(0, bucket.take(0, 1));
    }

    @Test
    void refillsAtItsRateAndWaitsForAtLeastOneSegment() {
        TokenBucket bucket = new TokenBucket(100_000, 0);
        bucket.take(0, Long.MAX_VALUE);
        // 1460 bytes take 14.6 ms at 100 kB/s.
        assertEquals(14_600_000, bucket.nanosUntilGrant(0, 10_000));
        assertEquals(0, bucket.take(14_599_999, 10_000), "one byte short of a segment");
        assertEquals(1_460, bucket.take(14_600_000, 10_000));
        // A chunk smaller than a segment only waits for its own size.
        assertEquals(100_000, bucket.nanosUntilGrant(14_600_000, 10));
    }

    @Test
    void neverGrantsMoreThanTheRateAllowsOverAnyRun() {
        long seed = System.nanoTime();
        System.out.println("neverGrantsMoreThanTheRateAllowsOverAnyRun seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        long bytesPerSecond = 1 + random.nextLong(10_000_000);
        TokenBucket bucket = new TokenBucket(bytesPerSecond, 0);
        long nowNanos = 0;
        long grantedBytes = 0;
        for (int i = 0; i < 100_000; i++) {
            nowNanos += random.nextLong(2_000_000);
            grantedBytes += bucket.take(nowNanos, 1 + random.nextLong(100_000));
            long allowedBytes = TokenBucket.capacityBytes(bytesPerSecond) + nowNanos * bytesPerSecond / SECOND_NANOS;
            assertTrue(grantedBytes <= allowedBytes, "granted " + grantedBytes + " > allowed " + allowedBytes + " at " + nowNanos + " ns, seed=" + seed);
        }
    }

    @Test
    void idleTimeDoesNotBuildABurstBeyondCapacity() {
        TokenBucket bucket = new TokenBucket(20_000, 0);
        assertEquals(2_000, bucket.take(3_600 * SECOND_NANOS, Long.MAX_VALUE));
    }

    @Test
    void rejectsRateOutsideItsRange() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(LinkProfile.BANDWIDTH_BYTES_PER_SECOND_MAX + 1, 0));
    }
}

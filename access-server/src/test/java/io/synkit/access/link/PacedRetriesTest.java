package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Retry-afters of refused clients, spread at the rate the node's login slots turn over. */
class PacedRetriesTest {

    private static final long NOW = -TimeUnit.HOURS.toNanos(5); // nanoTime may be negative
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void refusedClientsAreToldStepsOfAsManyAsTheSlotsLogInPerStep() {
        PacedRetries retries = new PacedRetries(100, 1000, new SplittableRandom(1));
        retries.loginCompleted(200 * MS); // 100 slots of 200 ms logins: 500 a second, 50 a step

        int[] perStep = new int[30];
        for (int client = 0; client < 1000; client++) {
            int retryAfterMs = retries.retryAfterMs(NOW);
            assertTrue(retryAfterMs >= 1000, "never sooner than the minimum: " + retryAfterMs);
            perStep[(retryAfterMs - 1000) / 100]++;
        }

        for (int step = 0; step < 20; step++) {
            assertEquals(50, perStep[step], "step " + step + " holds what the node logs in within 100 ms");
        }
        assertEquals(0, perStep[20], "1,000 clients at 500 a second: 2 s of steps after the first second");
    }

    @Test
    void theStepsStartFromTheMinimumAgainOnceTheStormIsPast() {
        PacedRetries retries = new PacedRetries(10, 1000, new SplittableRandom(2));
        retries.loginCompleted(1000 * MS); // 10 a second, 1 a step
        for (int client = 0; client < 50; client++) {
            retries.retryAfterMs(NOW);
        }

        int later = retries.retryAfterMs(NOW + TimeUnit.SECONDS.toNanos(60));

        assertTrue(later >= 1000 && later < 1100, "a refusal after the storm's steps went by is told the minimum: " + later);
    }

    @Test
    void aSlowerLoginTimeSpreadsTheNextRefusalsFurther() {
        PacedRetries retries = new PacedRetries(10, 0, new SplittableRandom(3));
        retries.loginCompleted(100 * MS); // 100 a second, 10 a step
        for (int login = 0; login < 1000; login++) {
            retries.loginCompleted(1000 * MS); // the mean follows: 10 a second, 1 a step
        }

        int first = retries.retryAfterMs(NOW);
        int second = retries.retryAfterMs(NOW);

        assertTrue(first < 100 && second >= 100 && second < 200, "one client a step: " + first + ", " + second);
    }

    @Test
    void beforeAnyLoginWasTimedEveryRefusalIsToldTheMinimumAndNoneIsToldMoreThanTheCeiling() {
        PacedRetries unknown = new PacedRetries(1, 1000, new SplittableRandom(4));
        for (int client = 0; client < 10_000; client++) {
            int retryAfterMs = unknown.retryAfterMs(NOW);
            assertTrue(retryAfterMs >= 1000 && retryAfterMs < 1100, "the rate errs high while it is learning: " + retryAfterMs);
        }
        PacedRetries slow = new PacedRetries(1, 1000, new SplittableRandom(5));
        slow.loginCompleted(TimeUnit.SECONDS.toNanos(10));
        int last = 0;
        for (int client = 0; client < 1000; client++) {
            last = slow.retryAfterMs(NOW);
        }
        assertEquals(PacedRetries.RETRY_AFTER_MS_MAX, last, "10 s at most, whatever the rate learnt");
    }

    @Test
    void aMinimumBeyondTheCeilingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PacedRetries(1, PacedRetries.RETRY_AFTER_MS_MAX + 1, new SplittableRandom(6)));
        assertThrows(IllegalArgumentException.class, () -> new PacedRetries(0, 1000, new SplittableRandom(6)));
    }
}

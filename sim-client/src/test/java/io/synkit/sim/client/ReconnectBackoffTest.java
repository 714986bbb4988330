package io.synkit.sim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reference client's waits between connection attempts, by docs/protocol.md §16. */
class ReconnectBackoffTest {

    private static final int DRAWS = 10_000;

    private static ReconnectBackoff backoff(String test) {
        long seed = System.nanoTime();
        System.out.println(test + " seed=" + seed);
        return new ReconnectBackoff(new SplittableRandom(seed), ReconnectBackoff.ROUND_BACKOFF_MS_CEILING);
    }

    @Test
    void afterALinkEndedTheNextAttemptWaitsARandomZeroTo500MsSpreadOverTheWholeRange() {
        ReconnectBackoff backoff = backoff("afterALinkEnded");
        long least = Long.MAX_VALUE;
        long most = Long.MIN_VALUE;
        for (int i = 0; i < DRAWS; i++) {
            long waitMs = backoff.afterLinkEndedMs();
            least = Math.min(least, waitMs);
            most = Math.max(most, waitMs);
        }
        assertTrue(least >= 0 && most <= 500, "within 0-500 ms: " + least + "-" + most);
        assertTrue(least < 50 && most > 450, "clients told to go at once spread over the half second, not its first 50 ms: " + least + "-" + most);
    }

    @Test
    void aFailedAttemptWaitsNothingMoreUntilEveryKnownAddressFailedThenAtLeastOneSecondWithADoublingCeiling() {
        ReconnectBackoff backoff = backoff("aFailedAttempt");
        int known = 3;
        for (int round = 1; round <= 8; round++) {
            assertEquals(0, backoff.afterFailedAttemptMs(0, known), "round " + round + ": the next address at once (the 1 s gap aside)");
            assertEquals(0, backoff.afterFailedAttemptMs(0, known));
            long waitMs = backoff.afterFailedAttemptMs(0, known);
            long ceilingMs = Math.min(ReconnectBackoff.ROUND_BACKOFF_MS_CEILING, 500L << round);
            assertTrue(waitMs >= 1000 && waitMs <= Math.max(1000, ceilingMs), "round " + round + " waited " + waitMs + " ms, ceiling " + ceilingMs);
        }
        long most = 0;
        for (int i = 0; i < DRAWS; i++) {
            most = Math.max(most, backoff.afterFailedAttemptMs(0, 1));
        }
        assertTrue(most <= 30_000 && most > 20_000, "after many rounds the backoff reaches up to its 30 s ceiling, never beyond: " + most);
    }

    @Test
    void aLoginThatReachedTheHeadStartsTheRoundsAfresh() {
        ReconnectBackoff backoff = backoff("aLogin");
        backoff.afterFailedAttemptMs(0, 2);
        backoff.synced();

        assertEquals(0, backoff.afterFailedAttemptMs(0, 2), "the first failure of a new round: the other address next, at once");
        assertEquals(1000, backoff.afterFailedAttemptMs(0, 2), "a first failed round: the 1 s minimum (its ceiling 1 s)");
    }

    @Test
    void aRefusalNamingARetryAfterAddsNothingAndStartsTheRoundsAfresh() {
        ReconnectBackoff backoff = backoff("aRefusal");
        for (int round = 0; round < 6; round++) {
            backoff.afterFailedAttemptMs(0, 2);
            backoff.afterFailedAttemptMs(0, 2);
        }

        assertEquals(0, backoff.afterFailedAttemptMs(1500, 2), "the node paces: its retry-after is the wait, nothing on top");
        assertEquals(0, backoff.afterFailedAttemptMs(0, 2), "a node down after it: the other address next, at once");
        assertEquals(1000, backoff.afterFailedAttemptMs(0, 2), "a whole round failed since the refusal: the first round's 1 s, not the seventh's");
    }

    @Test
    void aCeilingBelowTheMinimumBackoffIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(new SplittableRandom(1), 999));
        assertTrue(refused.getMessage().contains("999"), refused.getMessage());
    }
}

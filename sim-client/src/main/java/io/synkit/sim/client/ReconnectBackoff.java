package io.synkit.sim.client;

import java.util.random.RandomGenerator;

/**
 * How long a client waits before its next connection attempt by docs/protocol.md §16, beside
 * what {@link AccessAddresses} keeps (the minimum gap between two attempts and the retry-after of
 * a node that sent one). After its link ended (a GoAway, or dropped) a random 0-500 ms, so clients
 * told to go at the same moment do not all come in the same instant. After a failed attempt,
 * nothing more while addresses of the round are left to try; after every known address failed in
 * a row, a full-jitter backoff: random in [0, min(ceiling, 0.5 s x 2^rounds)], but at least 1 s. A
 * login that reached the head (Auth, then Sync) starts the rounds afresh. Not thread-safe: one
 * client's loop owns it.
 */
public final class ReconnectBackoff {

    /** The most a client waits after its link ended before its next attempt (GoAway or dropped link). */
    public static final long LINK_ENDED_JITTER_MS_MAX = 500;
    /** The least backoff after a whole round failed. */
    public static final long ROUND_BACKOFF_MS_MIN = 1000;
    /** The backoff ceiling after the first failed round; it doubles with each further one. */
    static final long ROUND_BACKOFF_MS_BASE = 500;
    /** The protocol's ceiling of the backoff. */
    public static final long ROUND_BACKOFF_MS_CEILING = 30_000;

    private final RandomGenerator random;
    private final long ceilingMs;
    private int failuresInRow;

    /** @param ceilingMs the backoff's ceiling, at least {@link #ROUND_BACKOFF_MS_MIN} (the protocol's: {@link #ROUND_BACKOFF_MS_CEILING}) */
    public ReconnectBackoff(RandomGenerator random, long ceilingMs) {
        if (ceilingMs < ROUND_BACKOFF_MS_MIN) {
            throw new IllegalArgumentException("reconnect backoff ceiling " + ceilingMs + " ms is below the minimum backoff " + ROUND_BACKOFF_MS_MIN + " ms");
        }
        this.random = random;
        this.ceilingMs = ceilingMs;
    }

    /** The wait before the first attempt after the client's link ended. */
    public long afterLinkEndedMs() {
        return random.nextLong(LINK_ENDED_JITTER_MS_MAX + 1);
    }

    /**
     * The wait before the next attempt after one failed, with {@code knownAddresses} addresses in the
     * client's list. A refusal with a retry-after ({@code retryAfterMs > 0}: the node answered and
     * paces logins, or refused the connect for that long) is not a failure of the cluster: nothing
     * beyond that node's retry-after, which {@link AccessAddresses} keeps, and the rounds start
     * afresh. A client growing its backoff while a node tells it when to come back would come back
     * later than told, and the storm's tail would be clients waiting, not a node working.
     */
    public long afterFailedAttemptMs(int retryAfterMs, int knownAddresses) {
        if (retryAfterMs > 0) {
            failuresInRow = 0;
            return 0;
        }
        failuresInRow++;
        if (failuresInRow % knownAddresses != 0) {
            return 0;
        }
        long roundCeilingMs = Math.min(ceilingMs, ROUND_BACKOFF_MS_BASE << Math.min(failuresInRow / knownAddresses, 16));
        return Math.max(ROUND_BACKOFF_MS_MIN, random.nextLong(roundCeilingMs + 1));
    }

    /** Logged in and synced to the head: the next failure starts a new round. */
    public void synced() {
        failuresInRow = 0;
    }
}

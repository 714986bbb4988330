package io.synkit.access.link;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Logins of one node on their way to logic and the user's SET, at most {@code max} at once. In a
 * reconnect storm (a node drained or killed, its clients all coming here) every Auth is a write at
 * some SET; letting them all through at once makes every one slow, until the auth deadline fires
 * for thousands of clients together. Beyond the cap an Auth is refused at once with UNAVAILABLE and
 * a retry-after from {@link PacedRetries}, spread at the rate the slots turn over, so logins are
 * paced at what the cluster does and each one is quick. Thread-safe.
 */
public final class LoginSlots {

    private final int max;
    private final AtomicInteger taken = new AtomicInteger();
    private final PacedRetries retries;

    /** @param minRetryAfterMs the soonest a refused client is told to come back ({@code access.links.refused.retry.after.ms}) */
    public LoginSlots(int max, int minRetryAfterMs, RandomGenerator random) {
        if (max < 1) {
            throw new IllegalArgumentException("max=" + max + " must be >= 1");
        }
        this.max = max;
        this.retries = new PacedRetries(max, minRetryAfterMs, random);
    }

    /** Takes a slot; false (nothing taken) when {@code max} are taken. */
    boolean tryTake() {
        int now;
        do {
            now = taken.get();
            if (now >= max) {
                return false;
            }
        } while (!taken.compareAndSet(now, now + 1));
        return true;
    }

    /** A login's slot is free again, {@code loginNanos} after it was taken. */
    void release(long loginNanos) {
        retries.loginCompleted(loginNanos);
        if (taken.decrementAndGet() < 0) {
            throw new IllegalStateException("login slots went below 0: a login released twice");
        }
    }

    /** The retry-after of a client refused at {@code nowNanos} (no slot, or too many links waiting for auth). */
    int retryAfterMs(long nowNanos) {
        return retries.retryAfterMs(nowNanos);
    }

    public int taken() {
        return taken.get();
    }

    public int max() {
        return max;
    }
}

package io.synkit.access.link;

import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The retry-after a node tells a client it refused in a reconnect storm (an Auth beyond its login
 * slots, a connect beyond its links waiting for auth): not the same second for everyone, but the
 * next 100 ms step that still has room at the rate the node completes logins while its slots are
 * full, {@code slots / mean login time} (Little's law). So the refused clients of a storm come back
 * about as fast as the node logs them in, most to be served at their next attempt, rather than all
 * at once to be refused again. Never sooner than {@code minRetryAfterMs}
 * ({@code access.links.refused.retry.after.ms}), never later than {@link #RETRY_AFTER_MS_MAX}; a
 * random point within its step.
 *
 * <p>The rate errs high while it is learning (the mean login time of a quiet node is short): a
 * client told too early is refused once more, a client told too late would wait while the node
 * idles. Thread-safe.
 */
public final class PacedRetries {

    static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The latest a refused client is told to come back. A rate learnt from slow logins (a SET
     * failing over) spreads the refused too far for the node that recovered: it costs them this
     * much at most, and a storm of more clients than the node logs in within it comes back here to
     * be spread again.
     */
    public static final int RETRY_AFTER_MS_MAX = 10_000;
    /** Weight of one login in the mean login time: the mean follows about the last hundred logins. */
    private static final double LOGIN_WEIGHT = 1.0 / 64;

    private final int slots;
    private final long minRetryAfterNanos;
    private final RandomGenerator random;
    private double loginNanosMean;
    /** The step the next refused client is told (once {@link #stepped}), and how many were told it already. */
    private long stepNanos;
    private boolean stepped;
    private long toldForStep;

    /**
     * @param slots the node's login slots ({@code access.auth.inflight.max})
     * @param minRetryAfterMs the soonest a refused client is told to come back
     */
    public PacedRetries(int slots, int minRetryAfterMs, RandomGenerator random) {
        if (slots < 1 || minRetryAfterMs < 0 || minRetryAfterMs > RETRY_AFTER_MS_MAX) {
            throw new IllegalArgumentException("slots=" + slots + " must be >= 1 and minRetryAfterMs=" + minRetryAfterMs + " in [0, "
                    + RETRY_AFTER_MS_MAX + "]");
        }
        this.slots = slots;
        this.minRetryAfterNanos = TimeUnit.MILLISECONDS.toNanos(minRetryAfterMs);
        this.random = random;
    }

    /** A login took {@code loginNanos} from its slot taken to its answer. */
    public synchronized void loginCompleted(long loginNanos) {
        loginNanosMean = loginNanosMean == 0 ? loginNanos : loginNanosMean + (loginNanos - loginNanosMean) * LOGIN_WEIGHT;
    }

    /** The retry-after of a client refused at {@code nowNanos}. */
    public synchronized int retryAfterMs(long nowNanos) {
        long earliestNanos = nowNanos + minRetryAfterNanos;
        if (!stepped || stepNanos - earliestNanos < 0) {
            stepNanos = earliestNanos;
            stepped = true;
            toldForStep = 0;
        }
        if (toldForStep >= perStep()) {
            stepNanos += STEP_NANOS;
            toldForStep = 0;
        }
        toldForStep++;
        long atNanos = stepNanos + random.nextLong(STEP_NANOS);
        return (int) Math.min(RETRY_AFTER_MS_MAX, TimeUnit.NANOSECONDS.toMillis(atNanos - nowNanos));
    }

    /** Logins the node completes in one step with its slots full; unbounded until a login was timed. */
    private long perStep() {
        if (loginNanosMean <= 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(1, (long) (slots * STEP_NANOS / loginNanosMean));
    }
}

package io.synkit.access.link;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Logins of one node on their way to logic and the user's SET, at most {@code max} at once. In a
 * reconnect storm (a node drained or killed, its clients all coming here) every Auth is a write at
 * some SET; letting them all through at once makes every one slow, until the auth deadline fires
 * for thousands of clients together. Beyond the cap an Auth is refused at once with UNAVAILABLE and
 * a jittered retry-after, so logins are paced at what the cluster does and each one is quick.
 * Thread-safe.
 */
public final class LoginSlots {

    private final int max;
    private final AtomicInteger taken = new AtomicInteger();

    public LoginSlots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max=" + max + " must be >= 1");
        }
        this.max = max;
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

    void release() {
        if (taken.decrementAndGet() < 0) {
            throw new IllegalStateException("login slots went below 0: a login released twice");
        }
    }

    public int taken() {
        return taken.get();
    }

    public int max() {
        return max;
    }
}

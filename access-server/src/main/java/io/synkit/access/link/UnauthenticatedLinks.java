package io.synkit.access.link;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's links that have not authenticated yet, counted against one cap. With the auth frame
 * limit this bounds what such links can make the node hold, all together: a flood of connections
 * that never log in costs at most {@code max} pipelines with one partial auth frame each, and each
 * is gone by its auth deadline. Thread-safe.
 */
public final class UnauthenticatedLinks {

    private final int max;
    private final AtomicInteger count = new AtomicInteger();

    public UnauthenticatedLinks(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max=" + max + " must be >= 1");
        }
        this.max = max;
    }

    /** Counts a new link in; false (nothing counted) when {@code max} are counted already. */
    public boolean tryEnter() {
        int now;
        do {
            now = count.get();
            if (now >= max) {
                return false;
            }
        } while (!count.compareAndSet(now, now + 1));
        return true;
    }

    /** A counted link authenticated or closed. */
    public void leave() {
        if (count.decrementAndGet() < 0) {
            throw new IllegalStateException("unauthenticated link count went below 0: a link left twice");
        }
    }

    public int count() {
        return count.get();
    }

    public int max() {
        return max;
    }
}

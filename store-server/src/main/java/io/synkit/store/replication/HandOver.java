package io.synkit.store.replication;

import java.util.concurrent.CompletableFuture;

/**
 * A primary handing its role to one backup (a planned restart or release): while it exists the
 * primary takes no writes and serves no reads. It lives in the {@link Primary} it belongs to and
 * ends in one of three ways: the backup caught up and was sent TimeoutNow ({@link #sent}), it did
 * not catch up by the deadline ({@link #expired}: the primary takes writes again), or the primary
 * stepped down or stopped for another reason ({@link #abandoned}).
 *
 * @param target the backup's replica id
 * @param deadlineNs the node's monotonic clock after which the hand-over is given up
 * @param done completes with the target once TimeoutNow is sent; fails otherwise
 */
record HandOver(int target, long deadlineNs, CompletableFuture<Integer> done) {

    boolean expired(long nowNs) {
        return nowNs - deadlineNs > 0;
    }

    void sent() {
        done.complete(target);
    }

    void abandoned(String reason) {
        done.completeExceptionally(new HandOverException(reason));
    }
}

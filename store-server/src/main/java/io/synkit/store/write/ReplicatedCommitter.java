package io.synkit.store.write;

import com.google.protobuf.ByteString;
import io.synkit.store.replication.NotPrimaryException;
import io.synkit.store.replication.ReplicaLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Commits batches through the SET's replication. A chain belongs to one epoch of this replica as
 * primary: it may start only when the replica is a writable primary (everything of earlier epochs
 * applied, so the first batch is computed from complete state), and every batch is proposed for
 * that epoch only: after a step-down, the rest of the chain is refused rather than committed on
 * top of a predecessor that may have been lost.
 */
public final class ReplicatedCommitter implements Committer {

    private final ReplicaLoop replica;
    private final long commitWaitMsMax;

    /**
     * @param commitWaitMsMax a batch neither committed nor refused within this is a bug; the
     *                        pipeline stops (a step-down refuses within an election timeout)
     */
    public ReplicatedCommitter(ReplicaLoop replica, long commitWaitMsMax) {
        this.replica = replica;
        this.commitWaitMsMax = commitWaitMsMax;
    }

    @Override
    public long beginChain() {
        long epoch = replica.writableEpoch();
        if (epoch < 0) {
            throw new NotPrimaryException("not a writable primary", replica.primaryHint());
        }
        return epoch;
    }

    @Override
    public CompletableFuture<Void> commit(ByteString batchData, long chainToken) {
        return replica.propose(batchData, chainToken)
                .orTimeout(commitWaitMsMax, TimeUnit.MILLISECONDS)
                .thenApply(index -> (Void) null);
    }
}

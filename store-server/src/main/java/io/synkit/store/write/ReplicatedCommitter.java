package io.synkit.store.write;

import com.google.protobuf.ByteString;
import io.synkit.store.replication.NotPrimaryException;
import io.synkit.store.replication.ReplicaLoop;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Commits a batch through the SET's replication: proposes the batch's bytes and waits until a
 * quorum holds them durably and they are applied here. The writer thread waits on purpose: the
 * next batch's seqs are computed from applied state, so it must include this batch. The wait ends
 * when the entry is applied or the replica steps down (within an election timeout); the upper
 * bound only guards against a bug, and exceeding it stops the pipeline.
 */
public final class ReplicatedCommitter implements Committer {

    private final ReplicaLoop replica;
    private final long commitWaitMsMax;

    public ReplicatedCommitter(ReplicaLoop replica, long commitWaitMsMax) {
        this.replica = replica;
        this.commitWaitMsMax = commitWaitMsMax;
    }

    @Override
    public void commit(WriteBatch batch) {
        ByteString payload;
        try {
            payload = ByteString.copyFrom(batch.data());
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot serialize write batch: " + e.getMessage(), e);
        }
        if (!replica.canTakeWrites()) {
            throw new NotCommittedException("not the primary", replica.primaryHint());
        }
        try {
            replica.propose(payload).get(commitWaitMsMax, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NotPrimaryException notPrimary) {
                throw new NotCommittedException(notPrimary.getMessage(), replica.primaryHint());
            }
            throw new IllegalStateException("commit failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("batch neither committed nor refused within " + commitWaitMsMax + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing", e);
        }
    }
}

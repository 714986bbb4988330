package io.synkit.store.write;

import com.google.protobuf.ByteString;
import io.synkit.store.replication.NotPrimaryException;
import java.util.concurrent.CompletableFuture;


/**
 * Makes batches of effects durable and committed. Batches form chains: the first batch of a
 * chain is computed from committed state, each later one from the state its predecessors will
 * leave; {@link #beginChain()} is asked before computing a chain's first batch, and every batch of
 * the chain is committed with its token. A replica that changes role or epoch mid-chain refuses
 * the rest of the chain, so no batch is ever committed on top of a predecessor that was not.
 *
 * <p>A single replica commits by writing the batch to its own RocksDB with a synced WAL
 * ({@link LocalCommitter}). A replicated SET proposes the batch's bytes to the replication log and
 * completes once 2 of 3 replicas hold it durably and it is applied ({@link ReplicatedCommitter}).
 */
public interface Committer {

    /**
     * Whether a chain may start now; returns its token.
     *
     * @throws NotPrimaryException when this replica cannot take writes now
     */
    long beginChain();

    /**
     * Starts committing {@code batchData}, a RocksDB WriteBatch in its serialized form. The future
     * completes when the batch is committed and readable; it fails with
     * {@link NotPrimaryException} when the replica refused or lost the chain (outcome unknown to
     * callers, who retry idempotently), and with anything else when storage failed, after which
     * the replica stops writing (a failed flush is never retried and then acked).
     */
    CompletableFuture<Void> commit(ByteString batchData, long chainToken);
}

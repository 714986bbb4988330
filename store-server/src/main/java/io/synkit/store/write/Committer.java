package io.synkit.store.write;

import org.rocksdb.WriteBatch;

/**
 * Makes one batch of effects durable and committed, or throws. When it returns, the batch may be
 * acknowledged and read. When it throws, nothing of the batch may be acknowledged, and the
 * replica stops writing (a failed fsync is never retried and then acked).
 *
 * <p>A single replica commits by writing the batch to its own RocksDB with a synced WAL
 * ({@link LocalCommitter}). Replication puts the batch into the SET's replication log and
 * returns once 2 of 3 replicas hold it durably.
 */
public interface Committer {

    void commit(WriteBatch batch);
}

package io.synkit.store.write;

import io.synkit.store.engine.StoreEngine;
import org.rocksdb.WriteBatch;

/** Commits a batch by writing it to the local RocksDB with an fsynced WAL (one replica per SET). */
public final class LocalCommitter implements Committer {

    private final StoreEngine engine;

    public LocalCommitter(StoreEngine engine) {
        this.engine = engine;
    }

    @Override
    public void commit(WriteBatch batch) {
        engine.writeDurably(batch);
    }
}

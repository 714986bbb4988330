package io.synkit.store.write;

import com.google.protobuf.ByteString;
import io.synkit.store.engine.StoreEngine;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.WriteBatch;

/** Commits a batch by writing it to the local RocksDB with an fsynced WAL (a SET of one replica). */
public final class LocalCommitter implements Committer {

    private final StoreEngine engine;

    public LocalCommitter(StoreEngine engine) {
        this.engine = engine;
    }

    @Override
    public long beginChain() {
        return 0;
    }

    @Override
    public CompletableFuture<Void> commit(ByteString batchData, long chainToken) {
        try (WriteBatch batch = new WriteBatch(batchData.toByteArray())) {
            engine.writeDurably(batch);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}

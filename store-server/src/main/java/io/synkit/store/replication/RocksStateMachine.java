package io.synkit.store.replication;

import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Applies committed log entries to RocksDB. An entry's payload is the serialized WriteBatch the
 * primary built (effects with seqs already assigned), so every replica applies byte-identical
 * changes; the applied index goes into the same atomic batch, so a restart resumes exactly after
 * the last applied entry. An empty payload (a new primary's first entry) only moves the index.
 */
public final class RocksStateMachine implements StateMachine {

    private final StoreEngine engine;
    private long appliedIndex;

    public RocksStateMachine(StoreEngine engine) {
        this.engine = engine;
        this.appliedIndex = engine.getLong(Column.META, StoreKeys.appliedIndex(), 0);
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public void apply(Entry entry) {
        if (entry.getIndex() != appliedIndex + 1) {
            throw new IllegalStateException("apply of index " + entry.getIndex() + " after applied index " + appliedIndex);
        }
        try (WriteBatch batch = entry.getPayload().isEmpty() ? new WriteBatch() : new WriteBatch(entry.getPayload().toByteArray())) {
            batch.put(engine.handle(Column.META), StoreKeys.appliedIndex(), StoreKeys.longValue(entry.getIndex()));
            engine.writeUnsynced(batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("entry " + entry.getIndex() + " payload is not a WriteBatch: " + e.getMessage(), e);
        }
        appliedIndex = entry.getIndex();
    }
}

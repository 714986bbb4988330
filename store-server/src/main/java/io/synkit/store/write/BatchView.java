package io.synkit.store.write;

import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The store as the commands of one group-commit batch see it: committed state plus the batch's
 * own uncommitted writes. A command later in the batch reads what an earlier one wrote (two
 * sends to one inbox in one batch get seqs n and n+1), though nothing of the batch is durable or
 * visible to readers until {@link #commitTo} returns.
 *
 * <p>Single-threaded: used only by the pipeline's writer thread. Discarded after each batch; if
 * the commit fails, nothing of it was acknowledged and nothing of it is kept in memory.
 */
final class BatchView implements AutoCloseable {

    private final StoreEngine engine;
    private final Map<Column, Map<ByteBuffer, byte[]>> overlay = new EnumMap<>(Column.class);
    private final WriteBatch batch = new WriteBatch();
    private int commandCount;

    BatchView(StoreEngine engine) {
        this.engine = engine;
    }

    byte[] get(Column column, byte[] key) {
        Map<ByteBuffer, byte[]> pending = overlay.get(column);
        if (pending != null) {
            ByteBuffer wrapped = ByteBuffer.wrap(key);
            if (pending.containsKey(wrapped)) {
                return pending.get(wrapped);
            }
        }
        return engine.get(column, key);
    }

    long getLong(Column column, byte[] key, long absent) {
        return StoreKeys.longOf(get(column, key), absent);
    }

    void put(Column column, byte[] key, byte[] value) {
        overlay.computeIfAbsent(column, c -> new HashMap<>()).put(ByteBuffer.wrap(key), value);
        try {
            batch.put(engine.handle(column), key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("WriteBatch.put failed: " + e.getMessage(), e);
        }
    }

    void putLong(Column column, byte[] key, long value) {
        put(column, key, StoreKeys.longValue(value));
    }

    void delete(Column column, byte[] key) {
        overlay.computeIfAbsent(column, c -> new HashMap<>()).put(ByteBuffer.wrap(key), null);
        try {
            batch.delete(engine.handle(column), key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("WriteBatch.delete failed: " + e.getMessage(), e);
        }
    }

    void countCommand() {
        commandCount++;
    }

    int commandCount() {
        return commandCount;
    }

    boolean isEmpty() {
        return batch.count() == 0;
    }

    int dataBytes() {
        return (int) batch.getDataSize();
    }

    void commitTo(Committer committer) {
        if (!isEmpty()) {
            committer.commit(batch);
        }
    }

    @Override
    public void close() {
        batch.close();
    }
}

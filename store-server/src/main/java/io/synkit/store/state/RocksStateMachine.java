package io.synkit.store.state;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.replication.StateMachine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed log entries to RocksDB. An entry's payload is the serialized WriteBatch the
 * primary built (effects with seqs already assigned), so every replica applies byte-identical
 * changes; the applied index and its epoch go into the same atomic batch, so a restart resumes
 * exactly after the last applied entry. An empty payload (a new primary's first entry) only moves
 * the index.
 *
 * <p>A snapshot install replaces the whole store in place: mark "installing" durably, delete
 * every key, copy the checkpoint's keys, then record the snapshot's index and drop the mark in one
 * durable batch. A restart that finds the mark wipes the half-copied state and asks to catch up.
 */
public final class RocksStateMachine implements StateMachine {

    private static final Logger log = LoggerFactory.getLogger(RocksStateMachine.class);
    private static final int COPY_BATCH_BYTES = 4 << 20;
    /** A serialized WriteBatch starts with its sequence number (8 bytes) and record count (4 bytes, little-endian). */
    private static final int WRITE_BATCH_HEADER_BYTES = 12;

    private final StoreEngine engine;
    private long appliedIndex;
    private long appliedEpoch;

    public RocksStateMachine(StoreEngine engine) {
        this.engine = engine;
        if (engine.get(Column.META, StoreKeys.snapshotInstalling()) != null) {
            log.warn("snapshot install was interrupted: wiping the partial state; this replica catches up before it votes dir={}", engine.directory());
            try (WriteBatch batch = new WriteBatch()) {
                deleteEverything(batch);
                batch.put(engine.handle(Column.META), StoreKeys.needsCatchUp(), StoreKeys.longValue(1));
                engine.writeDurably(batch);
            } catch (RocksDBException e) {
                throw new IllegalStateException("wiping an interrupted snapshot install failed: " + e.getMessage(), e);
            }
        }
        load();
    }

    private void load() {
        this.appliedIndex = engine.getLong(Column.META, StoreKeys.appliedIndex(), 0);
        this.appliedEpoch = appliedIndex == 0 ? 0 : engine.getLong(Column.META, StoreKeys.appliedEpoch(), -1);
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public long appliedEpoch() {
        return appliedEpoch;
    }

    @Override
    public void apply(Entry entry) {
        if (entry.getIndex() != appliedIndex + 1) {
            throw new IllegalStateException("apply of index " + entry.getIndex() + " after applied index " + appliedIndex);
        }
        try (WriteBatch batch = entry.getPayload().isEmpty() ? new WriteBatch() : new WriteBatch(entry.getPayload().toByteArray())) {
            batch.put(engine.handle(Column.META), StoreKeys.appliedIndex(), StoreKeys.longValue(entry.getIndex()));
            batch.put(engine.handle(Column.META), StoreKeys.appliedEpoch(), StoreKeys.longValue(entry.getEpoch()));
            engine.writeUnsynced(batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("entry " + entry.getIndex() + " payload is not a WriteBatch: " + e.getMessage(), e);
        }
        appliedIndex = entry.getIndex();
        appliedEpoch = entry.getEpoch();
    }

    /**
     * One RocksDB write for all of {@code entries}: their WriteBatches joined into one (a
     * WriteBatch is a 12-byte header, sequence then record count, and self-delimited records, so
     * joining is adding the counts and laying the records end to end, as RocksDB's own
     * {@code WriteBatchInternal::Append} does), and the applied index and epoch put once. Atomic
     * as a single entry's apply is: a crash leaves all of them applied or none.
     */
    @Override
    public void applyAll(List<Entry> entries) {
        if (entries.size() == 1) {
            apply(entries.get(0));
            return;
        }
        long expected = appliedIndex + 1;
        int recordBytes = 0;
        for (Entry entry : entries) {
            if (entry.getIndex() != expected++) {
                throw new IllegalStateException("apply of index " + entry.getIndex() + " after applied index " + (expected - 2) + " in one write");
            }
            recordBytes += entry.getPayload().isEmpty() ? 0 : entry.getPayload().size() - WRITE_BATCH_HEADER_BYTES;
        }
        ByteBuffer joined = ByteBuffer.allocate(WRITE_BATCH_HEADER_BYTES + recordBytes).order(ByteOrder.LITTLE_ENDIAN);
        joined.position(WRITE_BATCH_HEADER_BYTES);
        int count = 0;
        for (Entry entry : entries) {
            ByteString payload = entry.getPayload();
            if (payload.isEmpty()) {
                continue;
            }
            if (payload.size() < WRITE_BATCH_HEADER_BYTES) {
                throw new IllegalStateException("entry " + entry.getIndex() + " payload of " + payload.size() + " bytes is not a WriteBatch");
            }
            count += (payload.byteAt(8) & 0xFF) | (payload.byteAt(9) & 0xFF) << 8 | (payload.byteAt(10) & 0xFF) << 16 | (payload.byteAt(11) & 0xFF) << 24;
            payload.substring(WRITE_BATCH_HEADER_BYTES).copyTo(joined);
        }
        joined.putInt(8, count);
        Entry last = entries.get(entries.size() - 1);
        try (WriteBatch batch = new WriteBatch(joined.array())) {
            batch.put(engine.handle(Column.META), StoreKeys.appliedIndex(), StoreKeys.longValue(last.getIndex()));
            batch.put(engine.handle(Column.META), StoreKeys.appliedEpoch(), StoreKeys.longValue(last.getEpoch()));
            engine.writeUnsynced(batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("entries " + entries.get(0).getIndex() + ".." + last.getIndex() + " are not WriteBatches: " + e.getMessage(), e);
        }
        appliedIndex = last.getIndex();
        appliedEpoch = last.getEpoch();
    }

    @Override
    public void persist() {
        engine.syncWal();
    }

    @Override
    public boolean needsCatchUp() {
        return engine.get(Column.META, StoreKeys.needsCatchUp()) != null;
    }

    @Override
    public void needsCatchUp(boolean value) {
        try (WriteBatch batch = new WriteBatch()) {
            if (value) {
                batch.put(engine.handle(Column.META), StoreKeys.needsCatchUp(), StoreKeys.longValue(1));
            } else {
                batch.delete(engine.handle(Column.META), StoreKeys.needsCatchUp());
            }
            engine.writeDurably(batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("recording needs-catch-up failed: " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the whole state by the store in {@code checkpoint}, which covers the log up to
     * {@code (index, epoch)}. Durable on return.
     */
    public void restoreFrom(Path checkpoint, long index, long epoch) {
        try (StoreEngine source = StoreEngine.openReadOnly(checkpoint)) {
            long sourceIndex = source.getLong(Column.META, StoreKeys.appliedIndex(), 0);
            if (sourceIndex != index) {
                throw new IllegalStateException("checkpoint " + checkpoint + " holds applied index " + sourceIndex + ", not the announced " + index);
            }
            try (WriteBatch mark = new WriteBatch()) {
                mark.put(engine.handle(Column.META), StoreKeys.snapshotInstalling(), StoreKeys.longValue(index));
                engine.writeDurably(mark);
            }
            boolean catchUp = needsCatchUp();
            try (WriteBatch wipe = new WriteBatch()) {
                deleteEverything(wipe);
                wipe.put(engine.handle(Column.META), StoreKeys.snapshotInstalling(), StoreKeys.longValue(index));
                engine.writeUnsynced(wipe);
            }
            long keys = 0;
            for (Column column : Column.values()) {
                keys += copy(source, column);
            }
            try (WriteBatch done = new WriteBatch()) {
                done.put(engine.handle(Column.META), StoreKeys.appliedIndex(), StoreKeys.longValue(index));
                done.put(engine.handle(Column.META), StoreKeys.appliedEpoch(), StoreKeys.longValue(epoch));
                if (catchUp) {
                    done.put(engine.handle(Column.META), StoreKeys.needsCatchUp(), StoreKeys.longValue(1));
                } else {
                    done.delete(engine.handle(Column.META), StoreKeys.needsCatchUp());
                }
                done.delete(engine.handle(Column.META), StoreKeys.snapshotInstalling());
                engine.writeDurably(done);
            }
            appliedIndex = index;
            appliedEpoch = epoch;
            log.info("snapshot installed index={} epoch={} keys={} from={}", index, epoch, keys, checkpoint);
        } catch (RocksDBException e) {
            throw new IllegalStateException("snapshot install from " + checkpoint + " failed: " + e.getMessage(), e);
        }
    }

    private long copy(StoreEngine source, Column column) throws RocksDBException {
        long keys = 0;
        try (RocksIterator it = source.iterator(column)) {
            WriteBatch batch = new WriteBatch();
            try {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    batch.put(engine.handle(column), it.key(), it.value());
                    keys++;
                    if (batch.getDataSize() >= COPY_BATCH_BYTES) {
                        engine.writeUnsynced(batch);
                        batch.close();
                        batch = new WriteBatch();
                    }
                }
                it.status();
                engine.writeUnsynced(batch);
            } finally {
                batch.close();
            }
        }
        return keys;
    }

    /** Adds a deletion of every key in every column family to {@code batch}. */
    private void deleteEverything(WriteBatch batch) throws RocksDBException {
        for (Column column : Column.values()) {
            try (RocksIterator it = engine.iterator(column)) {
                it.seekToLast();
                if (it.isValid()) {
                    byte[] lastKey = it.key();
                    batch.deleteRange(engine.handle(column), new byte[0], lastKey);
                    batch.delete(engine.handle(column), lastKey);
                }
                it.status();
            }
        }
    }
}

package io.synkit.store.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A replica's RocksDB: opening with explicit options, point reads, prefix iteration and durable
 * batch writes. Thread-safe (RocksDB is); the single writer is the write pipeline.
 *
 * <p>Options, and why:
 * <ul>
 *   <li>Every acknowledged write is a {@code WriteBatch} written with {@code sync=true}: the WAL is
 *       fsynced before the write returns, so {@code kill -9} or power loss loses nothing acked.
 *       Group commit happens above us (one batch per Disruptor batch), not in RocksDB.</li>
 *   <li>WAL recovery {@code kPointInTimeRecovery}: after a crash, replay stops at the first torn
 *       record. Only unsynced (never acknowledged) writes can be torn.</li>
 *   <li>LZ4 for SST files: cheap on 2 cores, and message bodies compress.</li>
 *   <li>Dynamic level sizing, 2 background jobs: sized for a small box; raise with cores.</li>
 *   <li>WAL and SST files are written back to disk every {@link #WRITEBACK_BYTES} as they grow
 *       ({@code wal_bytes_per_sync}, {@code bytes_per_sync}): a replicated store syncs its
 *       unsynced WAL only every few seconds, and a flush ends with an fsync of a whole SST file;
 *       without incremental writeback those are one burst of tens of MB that stalls every other
 *       fsync on the disk (the replication log's) for 100 ms or more.</li>
 * </ul>
 */
public final class StoreEngine implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    /** Incremental writeback of WAL and SST files (see the class comment). */
    static final long WRITEBACK_BYTES = 1 << 20;

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnOptions;
    private final WriteOptions syncWrite;
    private final WriteOptions unsyncedWrite;
    private final ReadOptions iterateOptions;
    private final RocksDB db;
    private final Map<Column, ColumnFamilyHandle> handles = new EnumMap<>(Column.class);

    public StoreEngine(Path directory) {
        this(directory, false);
    }

    /** Opens a store (a checkpoint, say) to read it; every write fails. */
    public static StoreEngine openReadOnly(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new StorageException("no store at " + directory, null);
        }
        return new StoreEngine(directory, true);
    }

    private StoreEngine(Path directory, boolean readOnly) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
            dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                    .setMaxBackgroundJobs(2)
                    .setKeepLogFileNum(5)
                    .setWalBytesPerSync(WRITEBACK_BYTES)
                    .setBytesPerSync(WRITEBACK_BYTES);
            columnOptions = new ColumnFamilyOptions()
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setLevelCompactionDynamicLevelBytes(true);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (Column column : Column.values()) {
                descriptors.add(new ColumnFamilyDescriptor(column.familyNameBytes(), columnOptions));
            }
            List<ColumnFamilyHandle> opened = new ArrayList<>();
            db = readOnly ? RocksDB.openReadOnly(dbOptions, directory.toString(), descriptors, opened)
                    : RocksDB.open(dbOptions, directory.toString(), descriptors, opened);
            for (Column column : Column.values()) {
                handles.put(column, opened.get(column.ordinal()));
            }
            syncWrite = new WriteOptions().setSync(true);
            unsyncedWrite = new WriteOptions().setSync(false);
            iterateOptions = new ReadOptions();
        } catch (RocksDBException | java.io.IOException e) {
            throw new StorageException("cannot open store at " + directory + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    public byte[] get(Column column, byte[] key) {
        try {
            return db.get(handles.get(column), key);
        } catch (RocksDBException e) {
            throw new StorageException("read failed column=" + column + ": " + e.getMessage(), e);
        }
    }

    public long getLong(Column column, byte[] key, long absent) {
        return StoreKeys.longOf(get(column, key), absent);
    }

    /** An iterator over one column; the caller closes it. */
    public RocksIterator iterator(Column column) {
        return db.newIterator(handles.get(column), iterateOptions);
    }

    public ColumnFamilyHandle handle(Column column) {
        return handles.get(column);
    }

    /** Writes the batch atomically and fsyncs the WAL before returning. */
    public void writeDurably(WriteBatch batch) {
        try {
            db.write(syncWrite, batch);
        } catch (RocksDBException e) {
            throw new StorageException("durable write failed: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the batch atomically into the WAL without waiting for fsync. Used to apply replicated
     * entries: the replication log is their durable record, and {@link #syncWal()} runs before
     * the log is truncated past them.
     */
    public void writeUnsynced(WriteBatch batch) {
        try {
            db.write(unsyncedWrite, batch);
        } catch (RocksDBException e) {
            throw new StorageException("write failed: " + e.getMessage(), e);
        }
    }

    /** Fsyncs the WAL: every write so far survives a crash. */
    public void syncWal() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            throw new StorageException("WAL sync failed: " + e.getMessage(), e);
        }
    }

    /**
     * A consistent copy of the whole store (every column family) in {@code target}, which must not
     * exist yet: SST files are hard-linked, so this is cheap on the same file system.
     */
    public void checkpoint(Path target) {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StorageException("checkpoint to " + target + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        handles.values().forEach(ColumnFamilyHandle::close);
        db.close();
        syncWrite.close();
        unsyncedWrite.close();
        iterateOptions.close();
        columnOptions.close();
        dbOptions.close();
    }
}

package io.synkit.store.write;

import com.google.protobuf.ByteString;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksIterator;

/**
 * The store as the commands of one group-commit batch see it: committed state, plus the writes
 * of earlier batches still being committed (newest first), plus this batch's own writes. A
 * command reads what any earlier one wrote (two sends to one inbox get seqs n and n+1 whether in
 * one batch or two), though nothing of a batch is durable or visible to readers until it commits.
 *
 * <p>Single-threaded: used only by the pipeline's writer thread. If a batch of a chain fails to
 * commit, the writer drops every view of that chain and starts again from committed state.
 */
final class BatchView {

    private static final byte[] ABSENT = new byte[0];
    /** What the overlay holds for a key this batch deleted (a map value cannot tell null from absent in one lookup). */
    private static final byte[] DELETED = new byte[0];

    private final StoreEngine engine;
    /** Read through while this batch is built; dropped once it is sealed (see {@link #seal}). */
    private List<BatchView> earlier;
    private final Map<Column, Map<OverlayKey, byte[]>> overlay = new EnumMap<>(Column.class);
    /** For columns with a group prefix ({@link Column#groupPrefixBytes}): the keys this batch wrote, by their prefix. */
    private final Map<Column, Map<OverlayKey, List<byte[]>>> writtenByPrefix = new EnumMap<>(Column.class);
    private final WriteBatchBytes batch = new WriteBatchBytes();
    /** RocksDB's id of each column family, by {@link Column#ordinal()}. */
    private final int[] familyIds;
    private int commandCount;

    /**
     * @param earlier views of the chain's batches still in flight, oldest first; they must stay
     *                unchanged while this view is used
     */
    BatchView(StoreEngine engine, List<BatchView> earlier) {
        this.engine = engine;
        this.earlier = List.copyOf(earlier);
        this.familyIds = new int[Column.values().length];
        for (Column column : Column.values()) {
            familyIds[column.ordinal()] = engine.handle(column).getID();
        }
    }

    byte[] get(Column column, byte[] key) {
        OverlayKey wrapped = new OverlayKey(key);
        byte[] own = pending(column, wrapped);
        if (own != ABSENT) {
            return own;
        }
        for (int i = earlier.size() - 1; i >= 0; i--) {
            byte[] value = earlier.get(i).pending(column, wrapped);
            if (value != ABSENT) {
                return value;
            }
        }
        return engine.get(column, key);
    }

    /**
     * The values of every key of {@code column} that starts with {@code prefix}, one of the
     * column's groups ({@link Column#groupPrefixBytes}), in RocksDB's key order, as this batch sees
     * them: committed state, then the writes of the batches still in flight, then its own.
     */
    List<byte[]> valuesWithPrefix(Column column, byte[] prefix) {
        if (column.groupPrefixBytes() == 0 || prefix.length != column.groupPrefixBytes()) {
            throw new IllegalArgumentException("column " + column + " is read by group prefixes of " + column.groupPrefixBytes() + " bytes, not "
                    + prefix.length);
        }
        TreeMap<byte[], byte[]> found = new TreeMap<>(Arrays::compareUnsigned);
        try (RocksIterator iterator = engine.iterator(column)) {
            for (iterator.seek(prefix); iterator.isValid() && StoreKeys.hasPrefix(iterator.key(), prefix); iterator.next()) {
                found.put(iterator.key(), iterator.value());
            }
        }
        OverlayKey group = new OverlayKey(prefix);
        for (BatchView view : earlier) {
            view.overlayOnto(column, group, found);
        }
        overlayOnto(column, group, found);
        return new ArrayList<>(found.values());
    }

    /** This batch's own writes of the keys of {@code group}, applied to {@code found}. */
    private void overlayOnto(Column column, OverlayKey group, Map<byte[], byte[]> found) {
        Map<OverlayKey, List<byte[]>> byPrefix = writtenByPrefix.get(column);
        List<byte[]> keys = byPrefix == null ? null : byPrefix.get(group);
        if (keys == null) {
            return;
        }
        for (byte[] key : keys) {
            byte[] value = pending(column, new OverlayKey(key));
            if (value == null) {
                found.remove(key);
            } else {
                found.put(key, value);
            }
        }
    }

    /** This batch's own write of the key (null = deleted), or {@link #ABSENT} if it wrote none. */
    private byte[] pending(Column column, OverlayKey key) {
        Map<OverlayKey, byte[]> writes = overlay.get(column);
        if (writes == null) {
            return ABSENT;
        }
        byte[] value = writes.getOrDefault(key, ABSENT);
        return value == DELETED ? null : value;
    }

    long getLong(Column column, byte[] key, long absent) {
        return StoreKeys.longOf(get(column, key), absent);
    }

    void put(Column column, byte[] key, byte[] value) {
        overlay.computeIfAbsent(column, c -> new HashMap<>()).put(new OverlayKey(key), value);
        indexByPrefix(column, key);
        batch.put(familyIds[column.ordinal()], key, value);
    }

    void putLong(Column column, byte[] key, long value) {
        put(column, key, StoreKeys.longValue(value));
    }

    void delete(Column column, byte[] key) {
        overlay.computeIfAbsent(column, c -> new HashMap<>()).put(new OverlayKey(key), DELETED);
        indexByPrefix(column, key);
        batch.delete(familyIds[column.ordinal()], key);
    }

    private void indexByPrefix(Column column, byte[] key) {
        int prefixBytes = column.groupPrefixBytes();
        if (prefixBytes > 0 && key.length >= prefixBytes) {
            writtenByPrefix.computeIfAbsent(column, c -> new HashMap<>())
                    .computeIfAbsent(new OverlayKey(Arrays.copyOf(key, prefixBytes)), prefix -> new ArrayList<>()).add(key);
        }
    }

    /**
     * Ends building: from now on only later views read this one's own writes. Its references to
     * earlier views go, or every view of a long chain would keep all the ones before it alive.
     */
    void seal() {
        earlier = List.of();
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
        return batch.length();
    }

    /** Keys written so far (puts and deletes). */
    int keyCount() {
        return batch.count();
    }

    /** The batch's writes in RocksDB's serialized form; the view takes no more writes after. */
    ByteString data() {
        return batch.data();
    }

    /**
     * A key as the overlay maps hold it: its hash computed once (a lookup walks this batch's map and
     * those of up to {@code inflightBatchesMax} earlier ones) and well mixed. ByteBuffer's hash,
     * used before, is a base-31 polynomial recomputed per lookup, and our keys (text ids, then
     * big-endian numbers) collide under it so often that HashMap turned buckets into trees:
     * a fifth of the primary's Java samples were in those lookups.
     */
    private static final class OverlayKey {
        private final byte[] bytes;
        private final int hash;

        OverlayKey(byte[] bytes) {
            this.bytes = bytes;
            long h = 0x9E3779B97F4A7C15L ^ bytes.length;
            for (byte b : bytes) {
                h = (h ^ (b & 0xFF)) * 0x100000001B3L; // FNV-1a over 64 bits
            }
            h ^= h >>> 33; // fmix64 of MurmurHash3: every input bit reaches the low bits HashMap indexes by
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            this.hash = (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof OverlayKey key && key.hash == hash && Arrays.equals(key.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}

package io.synkit.store.write;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Arrays;

/**
 * A RocksDB WriteBatch built in a Java array, in RocksDB's own serialized form, instead of
 * through a native {@code WriteBatch}: one JNI call per put (with its key and value copied into
 * native memory) and a copy back out for the replication log were a large part of what the
 * primary's writer paid per op; now the bytes are written once, here, and proposed as they are.
 * Every replica, this one included, applies them with {@code new WriteBatch(bytes)}.
 *
 * <p>The format (RocksDB {@code db/write_batch.cc}, stable since its first release, as backups
 * and checkpoints rely on): a 12-byte header, the sequence number (8 bytes, set by the DB when
 * written) and the record count (4 bytes, little-endian); then per record a type byte, the column
 * family id as a varint32 unless it is the default family (0), and the key and the value each as a
 * varint32 length and its bytes (a deletion has no value).
 *
 * <p>Single-threaded, like the writer that owns it.
 */
final class WriteBatchBytes {

    static final int HEADER_BYTES = 12;
    private static final byte TYPE_DELETION = 0x0;
    private static final byte TYPE_VALUE = 0x1;
    private static final byte TYPE_COLUMN_FAMILY_DELETION = 0x4;
    private static final byte TYPE_COLUMN_FAMILY_VALUE = 0x5;
    private static final int VARINT32_BYTES_MAX = 5;
    private static final int INITIAL_BYTES = 4096;

    private byte[] bytes = new byte[INITIAL_BYTES];
    private int length = HEADER_BYTES;
    private int count;

    void put(int columnFamilyId, byte[] key, byte[] value) {
        ensureRoom(1 + 3 * VARINT32_BYTES_MAX + key.length + value.length);
        if (columnFamilyId == 0) {
            bytes[length++] = TYPE_VALUE;
        } else {
            bytes[length++] = TYPE_COLUMN_FAMILY_VALUE;
            writeVarint32(columnFamilyId);
        }
        writeSlice(key);
        writeSlice(value);
        count++;
    }

    void delete(int columnFamilyId, byte[] key) {
        ensureRoom(1 + 2 * VARINT32_BYTES_MAX + key.length);
        if (columnFamilyId == 0) {
            bytes[length++] = TYPE_DELETION;
        } else {
            bytes[length++] = TYPE_COLUMN_FAMILY_DELETION;
            writeVarint32(columnFamilyId);
        }
        writeSlice(key);
        count++;
    }

    int count() {
        return count;
    }

    /** Bytes of the serialized batch, header included. */
    int length() {
        return length;
    }

    /**
     * The serialized batch, sharing this builder's array (no copy): nothing may be added after.
     * The sequence number is 0, as in a batch RocksDB serializes before writing it.
     */
    ByteString data() {
        bytes[8] = (byte) count;
        bytes[9] = (byte) (count >>> 8);
        bytes[10] = (byte) (count >>> 16);
        bytes[11] = (byte) (count >>> 24);
        return UnsafeByteOperations.unsafeWrap(bytes, 0, length);
    }

    private void writeSlice(byte[] slice) {
        writeVarint32(slice.length);
        System.arraycopy(slice, 0, bytes, length, slice.length);
        length += slice.length;
    }

    private void writeVarint32(int value) {
        while ((value & ~0x7F) != 0) {
            bytes[length++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[length++] = (byte) value;
    }

    private void ensureRoom(int bytesMore) {
        if (length + bytesMore > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + bytesMore));
        }
    }
}

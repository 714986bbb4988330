package io.synkit.store.log;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.StorageException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One segment file of a {@link FileLogStorage}: records back to back, each a 4-byte big-endian
 * length then a serialized {@link Entry}. Memory holds one file offset per entry, the size in
 * bytes, and whether writes since the last fsync are pending ({@link #dirty}).
 */
final class LogSegment {

    static final int RECORD_HEADER_BYTES = 4;
    private static final int SCAN_BUFFER_BYTES = 1 << 16;

    final long startIndex;
    final Path path;
    final FileChannel channel;
    private long[] offsets = new long[64];
    int count;
    long sizeBytes;
    boolean dirty;

    LogSegment(long startIndex, Path path, FileChannel channel) {
        this.startIndex = startIndex;
        this.path = path;
        this.channel = channel;
    }

    static long recordBytes(Entry entry) {
        return RECORD_HEADER_BYTES + entry.getSerializedSize();
    }

    String name() {
        return path.getFileName().toString();
    }

    /** {@code startIndex - 1} when empty. */
    long lastIndex() {
        return startIndex + count - 1;
    }

    long offsetOf(long index) {
        return offsets[slot(index)];
    }

    /** Offset just past the record of {@code index}. */
    long endOf(long index) {
        int next = slot(index) + 1;
        return next < count ? offsets[next] : sizeBytes;
    }

    /** Writes {@code records} (the serialized {@code entries}) at the end of the file; durable only after an fsync. */
    void append(ByteBuffer records, List<Entry> entries) throws IOException {
        LogDirectory.writeFully(channel, records, sizeBytes);
        dirty = true;
        for (Entry entry : entries) {
            add(sizeBytes);
            sizeBytes += recordBytes(entry);
        }
    }

    /** Forgets {@code index} and every entry after it (the file is cut by the caller). */
    void truncateFrom(long index) {
        int slot = slot(index);
        sizeBytes = offsets[slot];
        count = slot;
    }

    /** Reads entries [fromIndex, toIndexInclusive] with one positional read, checking each record against what was written. */
    void read(long fromIndex, long toIndexInclusive, List<Entry> out) {
        long chunkOffset = offsetOf(fromIndex);
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(endOf(toIndexInclusive) - chunkOffset));
        try {
            LogDirectory.readFully(channel, buffer, chunkOffset);
        } catch (IOException e) {
            throw new StorageException("replication log read failed: file=" + path + " offset=" + chunkOffset, e);
        }
        for (long index = fromIndex; index <= toIndexInclusive; index++) {
            long offset = offsetOf(index);
            int start = (int) (offset - chunkOffset);
            int bodyBytes = (int) (endOf(index) - offset) - RECORD_HEADER_BYTES;
            if (buffer.getInt(start) != bodyBytes) {
                throw LogDirectory.damaged(path, offset, "record length " + buffer.getInt(start) + " where " + bodyBytes + " was written");
            }
            Entry entry;
            try {
                entry = Entries.checked(Entry.parser().parseFrom(buffer.array(), start + RECORD_HEADER_BYTES, bodyBytes));
            } catch (InvalidProtocolBufferException | CorruptEntryException e) {
                throw LogDirectory.damaged(path, offset, e.getMessage());
            }
            if (entry.getIndex() != index) {
                throw LogDirectory.damaged(path, offset, "entry index " + entry.getIndex() + " where " + index + " belongs");
            }
            out.add(entry);
        }
    }

    /**
     * Reads the file's records into the offsets and {@code epochs} (entries continue after
     * {@code previousEpoch}). Returns null when the whole file is valid records, else why the
     * record at {@link #sizeBytes} is not.
     */
    String scan(long previousEpoch, EpochRuns epochs) throws IOException {
        long fileBytes = channel.size();
        // Not closed: closing the stream would close the segment's channel.
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel.position(0)), SCAN_BUFFER_BYTES));
        while (sizeBytes < fileBytes) {
            long remaining = fileBytes - sizeBytes;
            if (remaining < RECORD_HEADER_BYTES) {
                return "partial length header of " + remaining + " bytes";
            }
            int length = in.readInt();
            if (length < 1 || length > remaining - RECORD_HEADER_BYTES) {
                return "record length " + length + " with " + (remaining - RECORD_HEADER_BYTES) + " bytes left in the file";
            }
            Entry entry;
            try {
                entry = Entries.checked(Entry.parseFrom(in.readNBytes(length)));
            } catch (InvalidProtocolBufferException | CorruptEntryException e) {
                return e.getMessage();
            }
            long expectedIndex = lastIndex() + 1;
            if (entry.getIndex() != expectedIndex) {
                return "entry index " + entry.getIndex() + " where " + expectedIndex + " belongs";
            }
            if (entry.getEpoch() < previousEpoch) {
                return "entry " + entry.getIndex() + " has epoch " + entry.getEpoch() + " below the previous entry's " + previousEpoch;
            }
            add(sizeBytes);
            sizeBytes += RECORD_HEADER_BYTES + length;
            epochs.add(entry.getIndex(), entry.getEpoch());
            previousEpoch = entry.getEpoch();
        }
        return null;
    }

    private void add(long offset) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = offset;
    }

    private int slot(long index) {
        long slot = index - startIndex;
        if (slot < 0 || slot >= count) {
            throw new IllegalStateException("index " + index + " is not in segment " + name() + " [" + startIndex + ", " + lastIndex() + "]");
        }
        return (int) slot;
    }
}

package io.synkit.store.log;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.StorageException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LogStorage} in a directory of segment files plus a {@code hardstate} file.
 *
 * <p><b>Segments.</b> Each segment is named by the index of its first entry
 * ({@code 00000000000000000001.log}) and holds records back to back, no file header: a 4-byte
 * big-endian length, then that many bytes of a serialized {@link Entry}, which carries its own
 * CRC32C over epoch, index and payload. A new segment starts when the next record would push the
 * current one past {@code segmentBytesMax} (a record larger than that gets a segment of its own).
 * Memory holds one file offset per entry, one (first index, epoch) pair per epoch run, and the
 * newest entries up to {@link #RECENT_BYTES_MAX} ({@link RecentEntries}: sending and applying
 * what was just appended re-reads nothing); older entries are read positionally.
 *
 * <p><b>Durability.</b> {@link #append} only writes into the OS page cache. {@link #sync}
 * fdatasyncs every segment written since the last sync, then fsyncs the directory if a segment
 * was created or deleted. Three orderings keep every crash state a prefix of the log, so recovery
 * needs to forgive damage only at the very end of the last segment:
 * <ul>
 *   <li>rolling syncs the full segment (and the directory, if its entry is new) before the next
 *       segment is created: a segment that has a successor is complete on disk;</li>
 *   <li>{@link #truncateSuffix} is durable on return: later segments are deleted newest first,
 *       each deletion fsynced, before the holding segment is cut and synced;</li>
 *   <li>{@link #truncatePrefix} records the snapshot point (index and epoch of the last dropped
 *       entry) in the hard state before deleting any segment; open deletes segments the snapshot
 *       already covers, finishing an interrupted prefix truncation.</li>
 * </ul>
 *
 * <p><b>Recovery.</b> Open reads every record and checks its length, CRC, index (dense, matching
 * the segment name) and epoch (non-decreasing). The first bad record in the last segment and
 * everything after it is a torn write of unsynced data: it is cut off and logged at WARN. A bad
 * record in any other segment, or a missing or overlapping segment, throws
 * {@link StorageException} naming file and offset: those bytes were synced, and dropping them
 * could drop committed entries.
 *
 * <p><b>Failure.</b> Once a write or fsync fails, the kernel may already have dropped the dirty
 * pages, so a retried fsync could "succeed" over lost data (fsyncgate). The first failure is
 * kept, and every later append, truncation, sync and hard-state save throws: the replica must
 * stop and recover from disk on restart.
 *
 * <p>Single-threaded, like every {@link LogStorage}. {@link #close} releases file handles without
 * syncing.
 */
public final class FileLogStorage implements LogStorage, AutoCloseable {

    public static final long SEGMENT_BYTES_MAX_DEFAULT = 64L << 20;
    /** Keeps a segment's entry count and any read buffer within an int. */
    public static final long SEGMENT_BYTES_MAX_LIMIT = 1L << 30;

    static final String HARD_STATE_FILE = "hardstate";
    static final String HARD_STATE_TEMP_FILE = "hardstate.tmp";

    private static final Logger log = LoggerFactory.getLogger(FileLogStorage.class);
    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}\\.log");
    private static final int RECORD_HEADER_BYTES = 4;
    private static final int SCAN_BUFFER_BYTES = 1 << 16;
    /** One positional read covers consecutive entries up to this many bytes (or one larger entry). */
    private static final int READ_CHUNK_BYTES_MAX = 1 << 20;
    /** Payload bytes of the newest entries kept parsed in memory. */
    static final long RECENT_BYTES_MAX = 8L << 20;

    /** The fsync system calls: a seam so tests can make them fail the way a dying disk does. */
    @FunctionalInterface
    interface Fsync {
        void force(FileChannel channel, boolean metadata) throws IOException;
    }

    private final Path dir;
    private final long segmentBytesMax;
    private final Fsync fsync;
    private final List<Segment> segments = new ArrayList<>();
    private final EpochRuns epochs = new EpochRuns();
    private final RecentEntries recent = new RecentEntries(RECENT_BYTES_MAX);
    /** Where records are serialized before a write: direct, so the channel copies nothing more. */
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(1 << 16);
    private HardState hardState = HardState.INITIAL;
    private boolean directoryDirty;
    /** The first write or fsync failure; once set, nothing may claim durability again. */
    private IOException failure;

    public FileLogStorage(Path dir) {
        this(dir, SEGMENT_BYTES_MAX_DEFAULT);
    }

    public FileLogStorage(Path dir, long segmentBytesMax) {
        this(dir, segmentBytesMax, FileChannel::force);
    }

    FileLogStorage(Path dir, long segmentBytesMax, Fsync fsync) {
        if (dir == null || fsync == null) {
            throw new IllegalArgumentException("dir=" + dir + " fsync=" + fsync + " must not be null");
        }
        if (segmentBytesMax < 1 || segmentBytesMax > SEGMENT_BYTES_MAX_LIMIT) {
            throw new IllegalArgumentException("segmentBytesMax=" + segmentBytesMax + " must be in [1, " + SEGMENT_BYTES_MAX_LIMIT + "]");
        }
        this.dir = dir;
        this.segmentBytesMax = segmentBytesMax;
        this.fsync = fsync;
        try {
            open();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public long firstIndex() {
        return hardState.snapshotIndex() + 1;
    }

    @Override
    public long lastIndex() {
        return segments.isEmpty() ? hardState.snapshotIndex() : last().lastIndex();
    }

    @Override
    public long epochAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index == hardState.snapshotIndex()) {
            return hardState.snapshotEpoch();
        }
        if (index < hardState.snapshotIndex() || index > lastIndex()) {
            throw new IllegalArgumentException("epochAt(" + index + ") is outside [" + hardState.snapshotIndex() + ", " + lastIndex() + "]");
        }
        return epochs.epochAt(index);
    }

    @Override
    public List<Entry> entries(long fromIndex, long toIndexInclusive, int countMax) {
        if (countMax < 0) {
            throw new IllegalArgumentException("countMax=" + countMax + " must be >= 0");
        }
        if (fromIndex < firstIndex()) {
            throw new IllegalArgumentException("entries from " + fromIndex + " asked, but the log starts at " + firstIndex());
        }
        long lastWanted = Math.min(toIndexInclusive, lastIndex());
        if (countMax == 0 || fromIndex > lastWanted) {
            return new ArrayList<>();
        }
        lastWanted = Math.min(lastWanted, fromIndex + countMax - 1);
        List<Entry> out = new ArrayList<>((int) (lastWanted - fromIndex + 1));
        long index = fromIndex;
        long diskLast = Math.min(lastWanted, recent.firstIndex() - 1);
        while (index <= diskLast) {
            Segment segment = segments.get(segmentSlot(index));
            long chunkLast = index;
            long chunkEnd = Math.min(diskLast, segment.lastIndex());
            while (chunkLast < chunkEnd && segment.endOf(chunkLast + 1) - segment.offsetOf(index) <= READ_CHUNK_BYTES_MAX) {
                chunkLast++;
            }
            readChunk(segment, index, chunkLast, out);
            index = chunkLast + 1;
        }
        for (; index <= lastWanted; index++) {
            out.add(recent.get(index));
        }
        return out;
    }

    @Override
    public void append(List<Entry> entries) {
        requireHealthy();
        checkContinues(entries);
        Segment active = segments.isEmpty() ? null : last();
        List<Entry> batch = new ArrayList<>();
        long batchBytes = 0;
        for (Entry entry : entries) {
            long recordBytes = RECORD_HEADER_BYTES + entry.getSerializedSize();
            long usedBytes = active == null ? 0 : active.sizeBytes + batchBytes;
            if (active == null || (usedBytes > 0 && usedBytes + recordBytes > segmentBytesMax)) {
                if (!batch.isEmpty()) {
                    write(active, batch, batchBytes);
                    batch.clear();
                    batchBytes = 0;
                }
                active = roll(entry.getIndex());
            }
            batch.add(entry);
            batchBytes += recordBytes;
        }
        if (!batch.isEmpty()) {
            write(active, batch, batchBytes);
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        requireHealthy();
        if (fromIndex < firstIndex()) {
            throw new IllegalStateException("truncateSuffix(" + fromIndex + ") would cut below the first index " + firstIndex()
                    + ", into entries already dropped as applied");
        }
        if (fromIndex > lastIndex() + 1) {
            throw new IllegalArgumentException("truncateSuffix(" + fromIndex + ") beyond last index " + lastIndex());
        }
        if (fromIndex == lastIndex() + 1) {
            return;
        }
        int holding = segmentSlot(fromIndex);
        try {
            // Newest first, each deletion durable before the next: a crash leaves a prefix of
            // the old log, never a gap between segments.
            while (segments.size() > holding + 1) {
                delete(segments.remove(segments.size() - 1));
                forceDirectory();
            }
            Segment segment = segments.get(holding);
            segment.channel.truncate(segment.offsetOf(fromIndex));
            segment.truncateFrom(fromIndex);
        } catch (IOException e) {
            throw failed("truncation from index " + fromIndex, e);
        }
        epochs.truncateFrom(fromIndex);
        recent.truncateFrom(fromIndex);
        Segment segment = segments.get(holding);
        force(segment.channel, segment.name(), false);
        segment.dirty = false;
    }

    @Override
    public void truncatePrefix(long upToIndex) {
        requireHealthy();
        int dropCount = 0;
        while (dropCount < segments.size() && segments.get(dropCount).count > 0 && segments.get(dropCount).lastIndex() <= upToIndex) {
            dropCount++;
        }
        if (dropCount == 0) {
            return;
        }
        long snapshotIndex = segments.get(dropCount - 1).lastIndex();
        writeHardState(new HardState(hardState.epoch(), hardState.votedFor(), snapshotIndex, epochAt(snapshotIndex)));
        try {
            for (int i = 0; i < dropCount; i++) {
                delete(segments.remove(0));
            }
        } catch (IOException e) {
            throw failed("deletion of segments up to index " + snapshotIndex, e);
        }
        directoryDirty = true;
        epochs.dropBefore(snapshotIndex + 1);
        recent.dropUpTo(snapshotIndex);
    }

    /**
     * Deletes every segment newest first, each deletion durable before the next (a crash leaves a
     * prefix of the old log), then records the new starting point in the hard state.
     */
    @Override
    public void resetTo(long index, long epoch) {
        requireHealthy();
        if (index < 0 || epoch < 0 || epoch > hardState.epoch()) {
            throw new IllegalArgumentException("resetTo(" + index + ", " + epoch + ") needs index >= 0 and epoch in [0, " + hardState.epoch() + "]");
        }
        try {
            while (!segments.isEmpty()) {
                delete(segments.remove(segments.size() - 1));
                forceDirectory();
            }
        } catch (IOException e) {
            throw failed("deletion of every segment for a reset to index " + index, e);
        }
        epochs.truncateFrom(0);
        recent.clear();
        writeHardState(new HardState(hardState.epoch(), hardState.votedFor(), index, epoch));
        log.info("replication log reset dir={} first_index={} snapshot_epoch={}", dir, index + 1, epoch);
    }

    @Override
    public void sync() {
        requireHealthy();
        for (Segment segment : segments) {
            if (segment.dirty) {
                force(segment.channel, segment.name(), false);
                segment.dirty = false;
            }
        }
        if (directoryDirty) {
            forceDirectory();
        }
    }

    @Override
    public long currentEpoch() {
        return hardState.epoch();
    }

    @Override
    public int votedFor() {
        return hardState.votedFor();
    }

    @Override
    public void saveHardState(long epoch, int votedFor) {
        if (votedFor < -1) {
            throw new IllegalArgumentException("votedFor=" + votedFor + " must be a replica id or -1");
        }
        if (epoch < hardState.epoch()) {
            throw new IllegalStateException("epoch would go back from " + hardState.epoch() + " to " + epoch);
        }
        if (epoch == hardState.epoch() && hardState.votedFor() != -1 && votedFor != hardState.votedFor()) {
            throw new IllegalStateException("replica already voted for " + hardState.votedFor() + " in epoch " + epoch
                    + "; changing the vote to " + votedFor + " could elect two primaries");
        }
        writeHardState(new HardState(epoch, votedFor, hardState.snapshotIndex(), hardState.snapshotEpoch()));
    }

    /** Closes the segment files without syncing: what was not synced may or may not be on disk. */
    @Override
    public void close() {
        for (Segment segment : segments) {
            try {
                segment.channel.close();
            } catch (IOException e) {
                log.warn("replication log segment close failed dir={} file={}", dir, segment.name(), e);
            }
        }
        segments.clear();
    }

    private void open() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                // Else a crash could lose the new directory's own name, and every segment with it.
                forceDirectory(dir.toAbsolutePath().getParent());
            }
            Files.deleteIfExists(dir.resolve(HARD_STATE_TEMP_FILE));
            hardState = readHardState();
            List<Path> files = dropSegmentsBelowSnapshot(listSegmentFiles());
            for (int i = 0; i < files.size(); i++) {
                recover(files.get(i), i == files.size() - 1);
            }
        } catch (IOException e) {
            throw new StorageException("cannot open replication log in " + dir + ": " + e, e);
        }
        // Make the repairs durable now, so a second crash cannot bring the torn tail back under
        // entries appended after this open.
        sync();
        log.info("replication log opened dir={} first_index={} last_index={} segments={} epoch={}", dir, firstIndex(), lastIndex(),
                segments.size(), hardState.epoch());
    }

    private List<Path> listSegmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> SEGMENT_NAME.matcher(file.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** Deletes segments a snapshot already covers: the tail of a prefix truncation a crash cut short. */
    private List<Path> dropSegmentsBelowSnapshot(List<Path> files) throws IOException {
        long snapshotIndex = hardState.snapshotIndex();
        int dropCount = 0;
        while (dropCount < files.size() && startIndexOf(files.get(dropCount)) <= snapshotIndex) {
            if (dropCount + 1 < files.size() && startIndexOf(files.get(dropCount + 1)) - 1 > snapshotIndex) {
                throw damaged(files.get(dropCount), 0, "segment straddles the snapshot index " + snapshotIndex);
            }
            dropCount++;
        }
        for (Path file : files.subList(0, dropCount)) {
            log.warn("replication log finishing an interrupted prefix truncation dir={} file={} snapshot_index={}", dir,
                    file.getFileName(), snapshotIndex);
            Files.delete(file);
            directoryDirty = true;
        }
        return files.subList(dropCount, files.size());
    }

    private void recover(Path file, boolean lastSegment) throws IOException {
        long startIndex = startIndexOf(file);
        if (startIndex != lastIndex() + 1) {
            throw damaged(file, 0, "segment starts at index " + startIndex + " but index " + (lastIndex() + 1)
                    + " comes next (a segment is missing or overlaps)");
        }
        Segment segment = new Segment(startIndex, file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        segments.add(segment);
        long fileBytes = segment.channel.size();
        String damage = scan(segment, fileBytes);
        if (damage == null) {
            return;
        }
        if (!lastSegment) {
            throw damaged(file, segment.sizeBytes, damage);
        }
        log.warn("replication log torn tail truncated dir={} file={} index={} offset={} bytes_dropped={} reason={}", dir,
                segment.name(), segment.lastIndex() + 1, segment.sizeBytes, fileBytes - segment.sizeBytes, damage);
        segment.channel.truncate(segment.sizeBytes);
        segment.dirty = true;
    }

    /**
     * Reads a segment's records into its offsets and the epoch runs. Returns null when the whole
     * file is valid records, else why the record at {@code segment.sizeBytes} is not.
     */
    private String scan(Segment segment, long fileBytes) throws IOException {
        // Not closed: closing the stream would close the segment's channel.
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(segment.channel.position(0)), SCAN_BUFFER_BYTES));
        long previousEpoch = epochAt(lastIndex());
        while (segment.sizeBytes < fileBytes) {
            long remaining = fileBytes - segment.sizeBytes;
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
            long expectedIndex = segment.lastIndex() + 1;
            if (entry.getIndex() != expectedIndex) {
                return "entry index " + entry.getIndex() + " where " + expectedIndex + " belongs";
            }
            if (entry.getEpoch() < previousEpoch) {
                return "entry " + entry.getIndex() + " has epoch " + entry.getEpoch() + " below the previous entry's " + previousEpoch;
            }
            segment.add(segment.sizeBytes);
            segment.sizeBytes += RECORD_HEADER_BYTES + length;
            epochs.add(entry.getIndex(), entry.getEpoch());
            previousEpoch = entry.getEpoch();
        }
        return null;
    }

    private void checkContinues(List<Entry> entries) {
        long expectedIndex = lastIndex() + 1;
        long previousEpoch = epochAt(lastIndex());
        for (Entry entry : entries) {
            Entries.checked(entry);
            if (entry.getIndex() != expectedIndex) {
                throw new IllegalStateException("append of index " + entry.getIndex() + " where index " + expectedIndex + " comes next");
            }
            if (entry.getEpoch() < previousEpoch) {
                throw new IllegalStateException("append of index " + entry.getIndex() + " with epoch " + entry.getEpoch()
                        + " after epoch " + previousEpoch + ": epochs in a log never decrease");
            }
            expectedIndex++;
            previousEpoch = entry.getEpoch();
        }
    }

    private void write(Segment segment, List<Entry> batch, long batchBytes) {
        if (writeBuffer.capacity() < batchBytes) {
            writeBuffer = ByteBuffer.allocateDirect((int) Math.min(SEGMENT_BYTES_MAX_LIMIT, Math.max(batchBytes, 2L * writeBuffer.capacity())));
        }
        ByteBuffer buffer = writeBuffer.clear();
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        try {
            for (Entry entry : batch) {
                out.writeFixed32NoTag(Integer.reverseBytes(entry.getSerializedSize())); // the big-endian length prefix
                entry.writeTo(out);
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("serializing " + batch.size() + " entries into " + batchBytes + " bytes failed: " + e.getMessage(), e);
        }
        buffer.flip();
        if (buffer.remaining() != batchBytes) {
            throw new IllegalStateException("serialized " + buffer.remaining() + " bytes where " + batchBytes + " were computed");
        }
        try {
            writeFully(segment.channel, buffer, segment.sizeBytes);
        } catch (IOException e) {
            throw failed("write to " + segment.name() + " at offset " + segment.sizeBytes, e);
        }
        segment.dirty = true;
        for (Entry entry : batch) {
            segment.add(segment.sizeBytes);
            segment.sizeBytes += RECORD_HEADER_BYTES + entry.getSerializedSize();
            epochs.add(entry.getIndex(), entry.getEpoch());
            recent.add(entry);
        }
    }

    /** Starts a segment at {@code startIndex} once everything before it is durable. */
    private Segment roll(long startIndex) {
        if (!segments.isEmpty() && last().dirty) {
            force(last().channel, last().name(), false);
            last().dirty = false;
        }
        if (directoryDirty) {
            forceDirectory();
        }
        Path file = dir.resolve(String.format("%020d.log", startIndex));
        try {
            Segment segment = new Segment(startIndex, file,
                    FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE));
            segments.add(segment);
            directoryDirty = true;
            return segment;
        } catch (IOException e) {
            throw failed("creation of segment " + file.getFileName(), e);
        }
    }

    private void readChunk(Segment segment, long fromIndex, long toIndexInclusive, List<Entry> out) {
        long chunkOffset = segment.offsetOf(fromIndex);
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(segment.endOf(toIndexInclusive) - chunkOffset));
        try {
            readFully(segment.channel, buffer, chunkOffset);
        } catch (IOException e) {
            throw new StorageException("replication log read failed: file=" + segment.path + " offset=" + chunkOffset, e);
        }
        for (long index = fromIndex; index <= toIndexInclusive; index++) {
            long offset = segment.offsetOf(index);
            int start = (int) (offset - chunkOffset);
            int bodyBytes = (int) (segment.endOf(index) - offset) - RECORD_HEADER_BYTES;
            if (buffer.getInt(start) != bodyBytes) {
                throw damaged(segment.path, offset, "record length " + buffer.getInt(start) + " where " + bodyBytes + " was written");
            }
            Entry entry;
            try {
                entry = Entries.checked(Entry.parser().parseFrom(buffer.array(), start + RECORD_HEADER_BYTES, bodyBytes));
            } catch (InvalidProtocolBufferException | CorruptEntryException e) {
                throw damaged(segment.path, offset, e.getMessage());
            }
            if (entry.getIndex() != index) {
                throw damaged(segment.path, offset, "entry index " + entry.getIndex() + " where " + index + " belongs");
            }
            out.add(entry);
        }
    }

    private HardState readHardState() throws IOException {
        Path file = dir.resolve(HARD_STATE_FILE);
        if (!Files.exists(file)) {
            return HardState.INITIAL;
        }
        return HardState.decode(Files.readAllBytes(file), file);
    }

    /** Write to a temp file, sync it, rename it over the old one, sync the directory: old or new survives, never a mix. */
    private void writeHardState(HardState next) {
        requireHealthy();
        Path temp = dir.resolve(HARD_STATE_TEMP_FILE);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                writeFully(channel, next.encode(), 0);
                force(channel, HARD_STATE_TEMP_FILE, false);
            }
            Files.move(temp, dir.resolve(HARD_STATE_FILE), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw failed("hard state write", e);
        }
        forceDirectory();
        hardState = next;
    }

    private void forceDirectory() {
        forceDirectory(dir);
        directoryDirty = false;
    }

    private void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            force(channel, "directory " + directory, true);
        } catch (IOException e) {
            throw failed("open of directory " + directory + " for fsync", e);
        }
    }

    private void force(FileChannel channel, String what, boolean metadata) {
        requireHealthy();
        try {
            fsync.force(channel, metadata);
        } catch (IOException e) {
            throw failed("fsync of " + what, e);
        }
    }

    private void requireHealthy() {
        if (failure != null) {
            throw new StorageException("replication log in " + dir + " had a failed write or fsync (" + failure.getMessage()
                    + "); it can no longer vouch for what is on disk: stop the replica", failure);
        }
    }

    private StorageException failed(String what, IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        return new StorageException("replication log " + what + " failed in " + dir + " (" + cause.getMessage() + "); the log takes no more writes",
                cause);
    }

    private static StorageException damaged(Path file, long offset, String reason) {
        return new StorageException("replication log damaged: file=" + file + " offset=" + offset + ": " + reason
                + "; refusing to drop entries that may be committed", null);
    }

    private void delete(Segment segment) throws IOException {
        segment.channel.close();
        Files.delete(segment.path);
    }

    private Segment last() {
        return segments.get(segments.size() - 1);
    }

    /** Position in {@link #segments} of the segment holding {@code index}, which must be in the log. */
    private int segmentSlot(long index) {
        int low = 0;
        int high = segments.size() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (segments.get(mid).startIndex <= index) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    private static long startIndexOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - ".log".length()));
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new EOFException("file ends " + buffer.remaining() + " bytes before the records it should hold");
            }
            position += read;
        }
    }

    /** One segment file: its entries' offsets, its size in bytes, and whether it holds unsynced writes. */
    private static final class Segment {
        final long startIndex;
        final Path path;
        final FileChannel channel;
        private long[] offsets = new long[64];
        int count;
        long sizeBytes;
        boolean dirty;

        Segment(long startIndex, Path path, FileChannel channel) {
            this.startIndex = startIndex;
            this.path = path;
            this.channel = channel;
        }

        String name() {
            return path.getFileName().toString();
        }

        /** {@code startIndex - 1} when empty. */
        long lastIndex() {
            return startIndex + count - 1;
        }

        void add(long offset) {
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            offsets[count++] = offset;
        }

        long offsetOf(long index) {
            return offsets[slot(index)];
        }

        /** Offset just past the record of {@code index}. */
        long endOf(long index) {
            int next = slot(index) + 1;
            return next < count ? offsets[next] : sizeBytes;
        }

        void truncateFrom(long index) {
            int slot = slot(index);
            sizeBytes = offsets[slot];
            count = slot;
        }

        private int slot(long index) {
            long slot = index - startIndex;
            if (slot < 0 || slot >= count) {
                throw new IllegalStateException("index " + index + " is not in segment " + name() + " [" + startIndex + ", " + lastIndex() + "]");
            }
            return (int) slot;
        }
    }

    /** Epochs as runs (first index, epoch): epochs change rarely, so this stays small while answering epochAt without disk reads. */
    private static final class EpochRuns {
        private long[] startIndexes = new long[8];
        private long[] epochs = new long[8];
        private int count;

        void add(long index, long epoch) {
            if (count > 0 && epochs[count - 1] == epoch) {
                return;
            }
            if (count == startIndexes.length) {
                startIndexes = Arrays.copyOf(startIndexes, count * 2);
                epochs = Arrays.copyOf(epochs, count * 2);
            }
            startIndexes[count] = index;
            epochs[count] = epoch;
            count++;
        }

        long epochAt(long index) {
            int found = Arrays.binarySearch(startIndexes, 0, count, index);
            int run = found >= 0 ? found : -found - 2;
            if (run < 0) {
                throw new IllegalStateException("no epoch run holds index " + index);
            }
            return epochs[run];
        }

        void truncateFrom(long index) {
            while (count > 0 && startIndexes[count - 1] >= index) {
                count--;
            }
        }

        /** Forgets runs that end before {@code index}; the run holding it stays. */
        void dropBefore(long index) {
            int first = 0;
            while (first + 1 < count && startIndexes[first + 1] <= index) {
                first++;
            }
            System.arraycopy(startIndexes, first, startIndexes, 0, count - first);
            System.arraycopy(epochs, first, epochs, 0, count - first);
            count -= first;
        }
    }

    /**
     * Contents of the {@code hardstate} file, 40 bytes big-endian: magic, format version, epoch,
     * votedFor, snapshot index and epoch (the last entry dropped by prefix truncation, 0/0 for
     * none), then a CRC32C over the 36 bytes before it.
     */
    private record HardState(long epoch, int votedFor, long snapshotIndex, long snapshotEpoch) {

        static final HardState INITIAL = new HardState(0, -1, 0, 0);
        private static final int MAGIC = 0x534b4853;
        private static final int VERSION = 1;
        private static final int BYTES = 40;

        ByteBuffer encode() {
            ByteBuffer buffer = ByteBuffer.allocate(BYTES);
            buffer.putInt(MAGIC).putInt(VERSION).putLong(epoch).putInt(votedFor).putLong(snapshotIndex).putLong(snapshotEpoch);
            buffer.putInt(crc(buffer.array()));
            return buffer.flip();
        }

        static HardState decode(byte[] bytes, Path file) {
            if (bytes.length != BYTES) {
                throw damaged(file, 0, "hard state is " + bytes.length + " bytes, not " + BYTES);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int magic = buffer.getInt();
            int version = buffer.getInt();
            if (magic != MAGIC || version != VERSION) {
                throw damaged(file, 0, "hard state magic " + Integer.toHexString(magic) + " version " + version);
            }
            HardState state = new HardState(buffer.getLong(), buffer.getInt(), buffer.getLong(), buffer.getLong());
            int stored = buffer.getInt();
            if (stored != crc(bytes)) {
                throw damaged(file, BYTES - 4, "hard state CRC " + Integer.toHexString(stored) + " does not match its contents");
            }
            return state;
        }

        private static int crc(byte[] bytes) {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, BYTES - 4);
            return (int) crc.getValue();
        }
    }
}

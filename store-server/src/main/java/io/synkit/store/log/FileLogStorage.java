package io.synkit.store.log;

import com.google.protobuf.CodedOutputStream;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 * <p><b>Failure.</b> The first failed write or fsync is sticky ({@link LogDirectory}): every later
 * append, truncation, sync and hard-state save throws, and the replica must stop and recover from
 * disk on restart.
 *
 * <p>Parts: {@link LogSegment} (one file's records and offsets), {@link EpochRuns} (epoch of any
 * index without a disk read), {@link HardState} (epoch, vote and snapshot point),
 * {@link LogDirectory} (fsyncs, the hard state file, the sticky failure).
 *
 * <p>Single-threaded, like every {@link LogStorage}. {@link #close} releases file handles without
 * syncing.
 */
public final class FileLogStorage implements LogStorage, AutoCloseable {

    public static final long SEGMENT_BYTES_MAX_DEFAULT = 64L << 20;
    /** Keeps a segment's entry count and any read buffer within an int. */
    public static final long SEGMENT_BYTES_MAX_LIMIT = 1L << 30;

    private static final Logger log = LoggerFactory.getLogger(FileLogStorage.class);
    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}\\.log");
    /** One positional read covers consecutive entries up to this many bytes (or one larger entry). */
    private static final int READ_CHUNK_BYTES_MAX = 1 << 20;
    /**
     * Payload bytes of the newest entries kept parsed in memory: what a commit pipeline has in
     * flight (4 batches of a few hundred KB at saturation) and a little more. They live for
     * seconds, so every young collection copies them: at 8 MiB they overflowed the 13 MB survivor
     * space of a 512 MiB Serial heap together with the batches in flight.
     */
    static final long RECENT_BYTES_MAX = 2L << 20;

    private final Path dir;
    private final long segmentBytesMax;
    private final LogDirectory directory;
    private final List<LogSegment> segments = new ArrayList<>();
    private final EpochRuns epochs = new EpochRuns();
    private final RecentEntries recent = new RecentEntries(RECENT_BYTES_MAX);
    /** Where records are serialized before a write: direct, so the channel copies nothing more. */
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(1 << 16);
    private HardState hardState = HardState.INITIAL;

    public FileLogStorage(Path dir) {
        this(dir, SEGMENT_BYTES_MAX_DEFAULT);
    }

    /** {@code segmentBytesMax} if a segment may grow to it, in [1, {@link #SEGMENT_BYTES_MAX_LIMIT}]; else an IllegalArgumentException. */
    public static long checkedSegmentBytesMax(long segmentBytesMax) {
        if (segmentBytesMax < 1 || segmentBytesMax > SEGMENT_BYTES_MAX_LIMIT) {
            throw new IllegalArgumentException("segmentBytesMax=" + segmentBytesMax + " must be in [1, " + SEGMENT_BYTES_MAX_LIMIT + "]");
        }
        return segmentBytesMax;
    }

    public FileLogStorage(Path dir, long segmentBytesMax) {
        this(dir, segmentBytesMax, FileChannel::force);
    }

    FileLogStorage(Path dir, long segmentBytesMax, LogDirectory.Fsync fsync) {
        if (dir == null || fsync == null) {
            throw new IllegalArgumentException("dir=" + dir + " fsync=" + fsync + " must not be null");
        }
        this.dir = dir;
        this.segmentBytesMax = checkedSegmentBytesMax(segmentBytesMax);
        this.directory = new LogDirectory(dir, fsync);
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
            LogSegment segment = segments.get(segmentSlot(index));
            long chunkLast = index;
            long chunkEnd = Math.min(diskLast, segment.lastIndex());
            while (chunkLast < chunkEnd && segment.endOf(chunkLast + 1) - segment.offsetOf(index) <= READ_CHUNK_BYTES_MAX) {
                chunkLast++;
            }
            segment.read(index, chunkLast, out);
            index = chunkLast + 1;
        }
        for (; index <= lastWanted; index++) {
            out.add(recent.get(index));
        }
        return out;
    }

    @Override
    public void append(List<Entry> entries) {
        directory.requireHealthy();
        checkContinues(entries);
        LogSegment active = segments.isEmpty() ? null : last();
        List<Entry> batch = new ArrayList<>();
        long batchBytes = 0;
        for (Entry entry : entries) {
            long recordBytes = LogSegment.recordBytes(entry);
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
        directory.requireHealthy();
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
                directory.sync();
            }
            LogSegment segment = segments.get(holding);
            segment.channel.truncate(segment.offsetOf(fromIndex));
            segment.truncateFrom(fromIndex);
        } catch (IOException e) {
            throw directory.failed("truncation from index " + fromIndex, e);
        }
        epochs.truncateFrom(fromIndex);
        recent.truncateFrom(fromIndex);
        LogSegment segment = segments.get(holding);
        directory.force(segment.channel, segment.name(), false);
        segment.dirty = false;
    }

    @Override
    public void truncatePrefix(long upToIndex) {
        directory.requireHealthy();
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
            throw directory.failed("deletion of segments up to index " + snapshotIndex, e);
        }
        directory.markDirty();
        epochs.dropBefore(snapshotIndex + 1);
        recent.dropUpTo(snapshotIndex);
    }

    /**
     * Deletes every segment newest first, each deletion durable before the next (a crash leaves a
     * prefix of the old log), then records the new starting point in the hard state.
     */
    @Override
    public void resetTo(long index, long epoch) {
        directory.requireHealthy();
        if (index < 0 || epoch < 0 || epoch > hardState.epoch()) {
            throw new IllegalArgumentException("resetTo(" + index + ", " + epoch + ") needs index >= 0 and epoch in [0, " + hardState.epoch() + "]");
        }
        try {
            while (!segments.isEmpty()) {
                delete(segments.remove(segments.size() - 1));
                directory.sync();
            }
        } catch (IOException e) {
            throw directory.failed("deletion of every segment for a reset to index " + index, e);
        }
        epochs.truncateFrom(0);
        recent.clear();
        writeHardState(new HardState(hardState.epoch(), hardState.votedFor(), index, epoch));
        log.info("replication log reset dir={} first_index={} snapshot_epoch={}", dir, index + 1, epoch);
    }

    @Override
    public void sync() {
        directory.requireHealthy();
        for (LogSegment segment : segments) {
            if (segment.dirty) {
                directory.force(segment.channel, segment.name(), false);
                segment.dirty = false;
            }
        }
        directory.syncIfDirty();
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
        for (LogSegment segment : segments) {
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
            directory.create();
            hardState = directory.readHardState();
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
                throw LogDirectory.damaged(files.get(dropCount), 0, "segment straddles the snapshot index " + snapshotIndex);
            }
            dropCount++;
        }
        for (Path file : files.subList(0, dropCount)) {
            log.warn("replication log finishing an interrupted prefix truncation dir={} file={} snapshot_index={}", dir,
                    file.getFileName(), snapshotIndex);
            Files.delete(file);
            directory.markDirty();
        }
        return files.subList(dropCount, files.size());
    }

    private void recover(Path file, boolean lastSegment) throws IOException {
        long startIndex = startIndexOf(file);
        if (startIndex != lastIndex() + 1) {
            throw LogDirectory.damaged(file, 0, "segment starts at index " + startIndex + " but index " + (lastIndex() + 1)
                    + " comes next (a segment is missing or overlaps)");
        }
        LogSegment segment = new LogSegment(startIndex, file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        segments.add(segment);
        long fileBytes = segment.channel.size();
        String damage = segment.scan(epochAt(lastIndex()), epochs);
        if (damage == null) {
            return;
        }
        if (!lastSegment) {
            throw LogDirectory.damaged(file, segment.sizeBytes, damage);
        }
        log.warn("replication log torn tail truncated dir={} file={} index={} offset={} bytes_dropped={} reason={}", dir,
                segment.name(), segment.lastIndex() + 1, segment.sizeBytes, fileBytes - segment.sizeBytes, damage);
        segment.channel.truncate(segment.sizeBytes);
        segment.dirty = true;
    }

    private void writeHardState(HardState next) {
        directory.writeHardState(next);
        hardState = next;
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

    private void write(LogSegment segment, List<Entry> batch, long batchBytes) {
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
            segment.append(buffer, batch);
        } catch (IOException e) {
            throw directory.failed("write to " + segment.name() + " at offset " + segment.sizeBytes, e);
        }
        for (Entry entry : batch) {
            epochs.add(entry.getIndex(), entry.getEpoch());
            recent.add(entry);
        }
    }

    /** Starts a segment at {@code startIndex} once everything before it is durable. */
    private LogSegment roll(long startIndex) {
        if (!segments.isEmpty() && last().dirty) {
            directory.force(last().channel, last().name(), false);
            last().dirty = false;
        }
        directory.syncIfDirty();
        Path file = dir.resolve(String.format("%020d.log", startIndex));
        try {
            LogSegment segment = new LogSegment(startIndex, file,
                    FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE));
            segments.add(segment);
            directory.markDirty();
            return segment;
        } catch (IOException e) {
            throw directory.failed("creation of segment " + file.getFileName(), e);
        }
    }

    private void delete(LogSegment segment) throws IOException {
        segment.channel.close();
        Files.delete(segment.path);
    }

    private LogSegment last() {
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
}

package io.synkit.store.snapshot;

import io.synkit.protocol.replication.SnapshotChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup's incoming snapshot: chunks are written in order into a staging directory, each file
 * fsynced when complete and the directory when the snapshot is; any chunk out of order or any
 * write failure discards the lot (the primary starts over). Runs on the replica's loop.
 */
final class CheckpointStaging {

    private static final Logger log = LoggerFactory.getLogger(CheckpointStaging.class);
    /** RocksDB checkpoint file names: CURRENT, MANIFEST-000005, OPTIONS-000007, 000012.sst, 000004.log. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path dir;
    private long snapshotIndex = -1;
    private long nextChunk;
    private boolean complete;
    private String openName;
    private FileChannel open;

    CheckpointStaging(Path dir) {
        this.dir = dir;
    }

    /** Stores the chunk; false when it is not the next one of the snapshot being staged, or cannot be stored. */
    boolean stage(SnapshotChunk chunk) {
        if (chunk.getChunk() == 0) {
            clear();
            snapshotIndex = chunk.getSnapshotIndex();
        }
        if (chunk.getSnapshotIndex() == snapshotIndex && chunk.getChunk() == nextChunk - 1) {
            return true; // a resent chunk stored already
        }
        if (chunk.getSnapshotIndex() != snapshotIndex || chunk.getChunk() != nextChunk || complete) {
            return false;
        }
        if (chunk.hasDataCrc32C() && chunk.getDataCrc32C() != crc32c(chunk.getData().asReadOnlyByteBuffer())) {
            // Damaged between the primary's disk and ours: refuse it, which makes the primary
            // start over. Stopping is for damage to this replica's own disk.
            log.warn("snapshot chunk refused: CRC32C mismatch snapshot_index={} chunk={} file=\"{}\"", snapshotIndex, chunk.getChunk(), chunk.getFile());
            clear();
            return false;
        }
        if (!FILE_NAME.matcher(chunk.getFile()).matches() || chunk.getFile().contains("..")) {
            log.warn("snapshot chunk refused: bad file name snapshot_index={} file=\"{}\"", snapshotIndex, chunk.getFile());
            return false;
        }
        try {
            if (chunk.getChunk() == 0) {
                Files.createDirectories(dir);
            }
            if (open == null || !openName.equals(chunk.getFile())) {
                closeOpen();
                open = FileChannel.open(dir.resolve(chunk.getFile()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                openName = chunk.getFile();
            }
            ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
            while (data.hasRemaining()) {
                open.write(data);
            }
            if (chunk.getFileDone()) {
                open.force(true);
                closeOpen();
            }
            if (chunk.getDone()) {
                if (open != null) {
                    throw new IOException("snapshot ended inside file " + openName);
                }
                try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                    directory.force(true);
                }
                complete = true;
            }
        } catch (IOException e) {
            log.warn("snapshot staging failed snapshot_index={} chunk={} file={} reason=\"{}\"", snapshotIndex, chunk.getChunk(), chunk.getFile(), e.toString());
            clear();
            return false;
        }
        nextChunk++;
        return true;
    }

    /** CRC32C of the remaining bytes of {@code data}, which keeps its position. */
    static int crc32c(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        return (int) crc.getValue();
    }

    /** The directory holding the complete snapshot of {@code index}. */
    Path completed(long index) {
        if (!complete || snapshotIndex != index) {
            throw new IllegalStateException("no complete staged snapshot of index " + index + " (staging " + snapshotIndex + ", complete=" + complete + ")");
        }
        return dir;
    }

    /** Discards whatever is staged. */
    void clear() {
        try {
            closeOpen();
        } catch (IOException e) {
            log.warn("snapshot staging file close failed reason=\"{}\"", e.toString());
        }
        snapshotIndex = -1;
        nextChunk = 0;
        complete = false;
        deleteTree(dir);
    }

    private void closeOpen() throws IOException {
        if (open != null) {
            FileChannel closing = open;
            open = null;
            openName = null;
            closing.close();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}

package io.synkit.store.log;

import io.synkit.store.engine.StorageException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The directory a {@link FileLogStorage} lives in, as far as durability goes: fsyncs of files and
 * of the directory itself, the {@code hardstate} file, and the first failure.
 *
 * <p>Once a write or fsync fails, the kernel may already have dropped the dirty pages, so a
 * retried fsync could "succeed" over lost data (fsyncgate). The first failure is kept, and every
 * later write, fsync and hard-state save throws: the replica must stop and recover from disk on
 * restart.
 */
final class LogDirectory {

    static final String HARD_STATE_FILE = "hardstate";
    static final String HARD_STATE_TEMP_FILE = "hardstate.tmp";

    /** The fsync system calls: a seam so tests can make them fail the way a dying disk does. */
    @FunctionalInterface
    interface Fsync {
        void force(FileChannel channel, boolean metadata) throws IOException;
    }

    private final Path dir;
    private final Fsync fsync;
    /** A file was created or deleted since the directory was last fsynced. */
    private boolean dirty;
    /** The first write or fsync failure; once set, nothing may claim durability again. */
    private IOException failure;

    LogDirectory(Path dir, Fsync fsync) {
        this.dir = dir;
        this.fsync = fsync;
    }

    Path path() {
        return dir;
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    /** Creates the directory if needed, durably: else a crash could lose its name, and every segment with it. */
    void create() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            force(dir.toAbsolutePath().getParent());
        }
    }

    /** A file was created or deleted: the next {@link #syncIfDirty()} makes that durable. */
    void markDirty() {
        dirty = true;
    }

    void syncIfDirty() {
        if (dirty) {
            sync();
        }
    }

    /** Fsyncs the directory, making created and deleted names durable. */
    void sync() {
        force(dir);
        dirty = false;
    }

    void force(FileChannel channel, String what, boolean metadata) {
        requireHealthy();
        try {
            fsync.force(channel, metadata);
        } catch (IOException e) {
            throw failed("fsync of " + what, e);
        }
    }

    private void force(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            force(channel, "directory " + directory, true);
        } catch (IOException e) {
            throw failed("open of directory " + directory + " for fsync", e);
        }
    }

    void requireHealthy() {
        if (failure != null) {
            throw new StorageException("replication log in " + dir + " had a failed write or fsync (" + failure.getMessage()
                    + "); it can no longer vouch for what is on disk: stop the replica", failure);
        }
    }

    /** Records the first failure (every later write refuses) and describes this one. */
    StorageException failed(String what, IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        return new StorageException("replication log " + what + " failed in " + dir + " (" + cause.getMessage() + "); the log takes no more writes",
                cause);
    }

    HardState readHardState() throws IOException {
        Files.deleteIfExists(dir.resolve(HARD_STATE_TEMP_FILE));
        Path file = dir.resolve(HARD_STATE_FILE);
        if (!Files.exists(file)) {
            return HardState.INITIAL;
        }
        return HardState.decode(Files.readAllBytes(file), file);
    }

    /** Write to a temp file, sync it, rename it over the old one, sync the directory: old or new survives, never a mix. */
    void writeHardState(HardState next) {
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
        sync();
    }

    /** Synced bytes that do not read back as written: never repaired by dropping them, they may hold committed entries. */
    static StorageException damaged(Path file, long offset, String reason) {
        return new StorageException("replication log damaged: file=" + file + " offset=" + offset + ": " + reason
                + "; refusing to drop entries that may be committed", null);
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new EOFException("file ends " + buffer.remaining() + " bytes before the records it should hold");
            }
            position += read;
        }
    }
}

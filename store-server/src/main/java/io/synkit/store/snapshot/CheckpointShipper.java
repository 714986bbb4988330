package io.synkit.store.snapshot;

import com.google.protobuf.ByteString;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.replication.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary's outgoing snapshots: per backup, a RocksDB checkpoint of the applied state (hard
 * links, so cheap), sent file by file in chunks of at most {@code chunkBytes}, the next chunk once the
 * backup acknowledged the previous one. Works on its own thread so checkpointing and file reads
 * never hold up the replica loop; the loop tells it when a chunk was acknowledged and when to stop.
 */
final class CheckpointShipper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CheckpointShipper.class);
    /** Close lets a running checkpoint or file read finish, at most this long. */
    private static final long CLOSE_WAIT_MS = 5000;

    private final int self;
    private final StoreEngine engine;
    private final Path dir;
    private final Transport transport;
    private final int chunkBytes;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(new DefaultThreadFactory("snapshot-ship", true));
    /** Only touched on the worker thread. */
    private final Map<Integer, Transfer> transfers = new HashMap<>();
    private long checkpoints;

    CheckpointShipper(int self, StoreEngine engine, Path dir, Transport transport, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes=" + chunkBytes + " must be >= 1");
        }
        this.self = self;
        this.chunkBytes = chunkBytes;
        this.engine = engine;
        this.dir = dir;
        this.transport = transport;
        CheckpointStaging.deleteTree(dir); // left over from before a restart
    }

    void ship(int peer, long epoch) {
        worker.execute(() -> guarded(peer, () -> start(peer, epoch)));
    }

    void acknowledged(int peer, SnapshotReply reply) {
        worker.execute(() -> guarded(peer, () -> {
            Transfer transfer = transfers.get(peer);
            if (transfer != null && transfer.snapshotIndex == reply.getSnapshotIndex() && transfer.chunk == reply.getChunk()) {
                transfer.chunk++;
                sendNext(transfer);
            }
        }));
    }

    void resend(int peer) {
        worker.execute(() -> {
            Transfer transfer = transfers.get(peer);
            if (transfer != null && transfer.lastSent != null) {
                transport.send(peer, transfer.lastSent);
            }
        });
    }

    void cancel(int peer) {
        worker.execute(() -> drop(peer));
    }

    private void guarded(int peer, IoStep step) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            // The replica loop sees no progress and starts over after its stall timeout.
            log.warn("snapshot shipping failed peer={} reason=\"{}\"", peer, e.toString());
            drop(peer);
        }
    }

    private void start(int peer, long epoch) throws IOException {
        drop(peer);
        Files.createDirectories(dir);
        Path checkpoint = dir.resolve("peer-" + peer + "-" + (++checkpoints));
        engine.checkpoint(checkpoint);
        long index;
        long indexEpoch;
        try (StoreEngine copy = StoreEngine.openReadOnly(checkpoint)) {
            index = copy.getLong(Column.META, StoreKeys.appliedIndex(), 0);
            indexEpoch = copy.getLong(Column.META, StoreKeys.appliedEpoch(), -1);
        }
        if (indexEpoch < 0) {
            CheckpointStaging.deleteTree(checkpoint);
            throw new IllegalStateException("checkpoint at applied index " + index + " has no applied epoch (state written by an older version)");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(checkpoint)) {
            files = listing.filter(Files::isRegularFile).sorted().toList();
        }
        Transfer transfer = new Transfer(peer, epoch, index, indexEpoch, checkpoint, files);
        transfers.put(peer, transfer);
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
        }
        log.info("snapshot shipping started peer={} epoch={} snapshot_index={} files={} bytes={}", peer, epoch, index, files.size(), bytes);
        sendNext(transfer);
    }

    /** Sends chunk number {@code transfer.chunk}: the next piece of the current file. */
    private void sendNext(Transfer transfer) throws IOException {
        if (transfer.sentDone) {
            return; // the backup installs now; the loop cancels us when it hears
        }
        Path file = transfer.files.get(transfer.fileSlot);
        ByteBuffer data;
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            data = ByteBuffer.allocate((int) Math.min(chunkBytes, size - transfer.offset));
            while (data.hasRemaining()) {
                if (channel.read(data, transfer.offset + data.position()) < 0) {
                    throw new IOException("checkpoint file " + file + " shrank below " + size + " bytes");
                }
            }
        }
        data.flip();
        int dataCrc32c = CheckpointStaging.crc32c(data);
        boolean fileDone = transfer.offset + data.remaining() >= size;
        boolean done = fileDone && transfer.fileSlot == transfer.files.size() - 1;
        SnapshotChunk chunk = SnapshotChunk.newBuilder().setSnapshotIndex(transfer.snapshotIndex).setSnapshotEpoch(transfer.snapshotEpoch)
                .setChunk(transfer.chunk).setFile(file.getFileName().toString()).setData(ByteString.copyFrom(data)).setDataCrc32C(dataCrc32c)
                .setFileDone(fileDone).setDone(done).build();
        if (fileDone) {
            transfer.fileSlot++;
            transfer.offset = 0;
        } else {
            transfer.offset += chunk.getData().size();
        }
        transfer.sentDone = done;
        transfer.lastSent = ReplicationMessage.newBuilder().setFrom(self).setEpoch(transfer.epoch).setSnapshotChunk(chunk).build();
        transport.send(transfer.peer, transfer.lastSent);
        if (done) {
            log.info("snapshot shipping sent last chunk peer={} snapshot_index={} chunks={}", transfer.peer, transfer.snapshotIndex, transfer.chunk + 1);
        }
    }

    private void drop(int peer) {
        Transfer transfer = transfers.remove(peer);
        if (transfer != null) {
            try {
                CheckpointStaging.deleteTree(transfer.checkpoint);
            } catch (RuntimeException e) {
                log.warn("snapshot checkpoint delete failed dir={} reason=\"{}\"", transfer.checkpoint, e.toString());
            }
        }
    }

    @Override
    public void close() {
        worker.execute(() -> List.copyOf(transfers.keySet()).forEach(this::drop));
        worker.shutdown();
        try {
            worker.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface IoStep {
        void run() throws IOException;
    }

    private static final class Transfer {
        final int peer;
        final long epoch;
        final long snapshotIndex;
        final long snapshotEpoch;
        final Path checkpoint;
        final List<Path> files;
        long chunk;
        int fileSlot;
        long offset;
        boolean sentDone;
        ReplicationMessage lastSent;

        Transfer(int peer, long epoch, long snapshotIndex, long snapshotEpoch, Path checkpoint, List<Path> files) {
            this.peer = peer;
            this.epoch = epoch;
            this.snapshotIndex = snapshotIndex;
            this.snapshotEpoch = snapshotEpoch;
            this.checkpoint = checkpoint;
            this.files = files;
        }
    }
}

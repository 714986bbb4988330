package io.synkit.store.server;

import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.rpc.TlsFiles;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import io.synkit.store.log.FileLogStorage;
import io.synkit.store.log.LogRetention;
import io.synkit.store.replication.ReplicaSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A store replica's settings, read and validated together at start-up: every key is read, every
 * bad value and every broken cross-key rule is collected, and one {@link ConfigException} names
 * them all (key and value), before anything is opened.
 *
 * @param setId the SET this replica belongs to
 * @param dataDir RocksDB directory (one per replica)
 * @param bindHost address to listen on
 * @param port internal RPC port (0 = pick a free port)
 * @param adminPort admin HTTP port (0 = pick, -1 = none)
 * @param ioThreads Netty threads for the RPC port and the replica's outgoing connections
 * @param ringSize write ring slots (power of two): the write queue bound
 * @param batchCommandsMax commands per group commit at most
 * @param inflightBatchesMax batches committed at once at most (replicated SETs pipeline them)
 * @param commitWaitMsMax a batch neither committed nor refused within this is a bug and stops the
 *     write pipeline (a step-down refuses within an election timeout)
 * @param readThreads reader pool size
 * @param readQueueMax reads waiting at most before UNAVAILABLE
 * @param readOpsMax ops per read page at most
 * @param replicas RPC addresses of all replicas of the SET in replica-index order; empty = a SET of one
 * @param replicaIndex this replica's index in {@code replicas}
 * @param replication election and lease timing, append and snapshot bounds
 * @param peerInflightCountMax replication calls in flight to one other replica at most
 * @param logRetention how much replication log is kept once applied, and how often it is truncated
 * @param joining this replica's disk may have lost data (a replaced or wiped replica): it must not
 *     vote or stand for election until it has caught up with a primary
 * @param metaReplicas the meta SET's replicas; when given, this store serves only the slots the
 *     slot map assigns to {@code setId} (empty: no ownership checks)
 * @param metaPollMs how often the slot map is fetched from the meta SET
 * @param metaInflightCountMax calls in flight to one meta replica at most
 * @param shutdownWaitMs how long shutdown waits for running reads and the replica loop
 * @param readyPrimaryGraceMs a replica of a replicated SET that knew no working primary (as
 *     primary: no quorum followed it; otherwise: it heard none) for longer than this is not ready
 * @param tls internal mutual TLS of the RPC port and of the connections to peers and the meta SET
 */
public record StoreConfig(String setId, Path dataDir, String bindHost, int port, int adminPort, int ioThreads,
                          int ringSize, int batchCommandsMax, int inflightBatchesMax, long commitWaitMsMax,
                          int readThreads, int readQueueMax, int readOpsMax,
                          List<String> replicas, int replicaIndex, ReplicaSettings replication, int peerInflightCountMax,
                          LogRetention logRetention, boolean joining,
                          List<String> metaReplicas, long metaPollMs, int metaInflightCountMax, long shutdownWaitMs,
                          long readyPrimaryGraceMs, TlsFiles tls) {

    /** A replication message or a snapshot chunk must fit an internal RPC frame, with room for its envelope. */
    static final int REPLICATION_MESSAGE_BYTES_MAX = FrameLimits.INTERNAL_FRAME_BYTES_DEFAULT / 2;
    /** The readiness grace defaults to the longest election timeout plus this: an election and its first commit fit. */
    static final long READY_GRACE_BEYOND_ELECTION_MS = 1000;

    public static StoreConfig from(Config config) {
        Reads reads = new Reads();
        String setId = config.string("store.set.id", "s1");
        Path dataDir = reads.of(() -> Path.of(config.requiredString("store.data.dir")), Path.of(""));
        String bindHost = config.string("store.bind.host", "127.0.0.1");
        int port = reads.of(() -> config.integer("store.port", 7300, 0, 65535), 0);
        int adminPort = reads.of(() -> config.integer("store.admin.port", -1, -1, 65535), -1);
        int ioThreads = reads.of(() -> config.integer("store.io.threads", 2, 1, 64), 2);
        int ringSize = reads.of(() -> config.integer("store.ring.size", 16_384, 64, 1 << 20), 16_384);
        int batchCommandsMax = reads.of(() -> config.integer("store.batch.commands.max", 1024, 1, 1 << 20), 1024);
        int inflightBatchesMax = reads.of(() -> config.integer("store.inflight.batches.max", 4, 1, 64), 4);
        long commitWaitMsMax = reads.of(() -> config.longValue("store.commit.wait.ms.max", 30_000, 1000, 600_000), 30_000L);
        int readThreads = reads.of(() -> config.integer("store.read.threads", 2, 1, 64), 2);
        int readQueueMax = reads.of(() -> config.integer("store.read.queue.max", 10_000, 1, 1_000_000), 10_000);
        int readOpsMax = reads.of(() -> config.integer("store.read.ops.max", 1000, 1, 100_000), 1000);
        List<String> replicas = config.list("store.replicas");
        int replicaIndex = reads.of(() -> config.integer("store.replica.index", 0, 0, 6), 0);
        ReplicaSettings replication = replicaSettings(config, reads);
        int peerInflightCountMax = reads.of(() -> config.integer("store.peer.inflight.count.max", 100_000, 1, 10_000_000), 100_000);
        LogRetention retention = new LogRetention(
                reads.of(() -> config.longValue("store.log.retain.entries", 10_000, 0, Long.MAX_VALUE), 10_000L),
                reads.of(() -> config.longValue("store.log.lag.entries.max", 100_000, 0, Long.MAX_VALUE), 100_000L),
                reads.of(() -> config.longValue("store.log.compact.interval.ms", 5000, 1, 3_600_000), 5000L),
                reads.of(() -> config.longValue("store.log.segment.bytes.max", FileLogStorage.SEGMENT_BYTES_MAX_DEFAULT, 4096,
                        FileLogStorage.SEGMENT_BYTES_MAX_LIMIT), FileLogStorage.SEGMENT_BYTES_MAX_DEFAULT));
        boolean joining = reads.of(() -> config.bool("store.replica.join", false), false);
        List<String> metaReplicas = config.list("store.meta.replicas");
        long metaPollMs = reads.of(() -> config.longValue("store.meta.poll.ms", 1000, 10, 600_000), 1000L);
        int metaInflightCountMax = reads.of(() -> config.integer("store.meta.inflight.count.max", 1000, 1, 1_000_000), 1000);
        long shutdownWaitMs = reads.of(() -> config.longValue("store.shutdown.wait.ms", 5000, 0, 600_000), 5000L);
        long readyGraceDefaultMs = replication.electionTimeoutMaxMs() + READY_GRACE_BEYOND_ELECTION_MS;
        long readyPrimaryGraceMs = reads.of(() -> config.longValue("store.ready.primary.grace.ms", readyGraceDefaultMs, 1, 600_000), readyGraceDefaultMs);
        TlsFiles tls = reads.of(() -> TlsFiles.read(config, "store"), new TlsFiles("", "", "", 5000));
        reads.run(config::checkNoUnknownKeys);
        reads.throwIfAny();
        return new StoreConfig(setId, dataDir, bindHost, port, adminPort, ioThreads, ringSize, batchCommandsMax, inflightBatchesMax, commitWaitMsMax,
                readThreads, readQueueMax, readOpsMax, replicas, replicaIndex, replication, peerInflightCountMax, retention, joining,
                metaReplicas, metaPollMs, metaInflightCountMax, shutdownWaitMs, readyPrimaryGraceMs, tls).validated();
    }

    /** Reads the replication keys; the snapshot timers default to 3 heartbeats and 10 maximum election timeouts. */
    private static ReplicaSettings replicaSettings(Config config, Reads reads) {
        long heartbeatMs = reads.of(() -> config.longValue("store.heartbeat.interval.ms", 100, 1, 60_000), 100L);
        long electionMinMs = reads.of(() -> config.longValue("store.election.timeout.min.ms", 1000, 3, 600_000), 1000L);
        long electionMaxMs = reads.of(() -> config.longValue("store.election.timeout.max.ms", 2000, 4, 600_000), 2000L);
        long leaseMs = reads.of(() -> config.longValue("store.lease.ms", 700, 1, 600_000), 700L);
        int appendEntriesMax = reads.of(() -> config.integer("store.append.entries.max", 512, 1, 100_000), 512);
        int appendBytesMax = reads.of(() -> config.integer("store.append.bytes.max", 4 << 20, 1024, 64 << 20), 4 << 20);
        int inflightEntriesMax = reads.of(() -> config.integer("store.inflight.entries.max", 64, 1, 100_000), 64);
        long snapshotResendMs = reads.of(() -> config.longValue("store.snapshot.resend.ms", ReplicaSettings.snapshotResendMsFor(heartbeatMs), 1,
                600_000), ReplicaSettings.snapshotResendMsFor(heartbeatMs));
        long snapshotStallMs = reads.of(() -> config.longValue("store.snapshot.stall.ms", ReplicaSettings.snapshotStallMsFor(electionMaxMs), 2,
                3_600_000), ReplicaSettings.snapshotStallMsFor(electionMaxMs));
        long tickIntervalMs = reads.of(() -> config.longValue("store.tick.interval.ms", 20, 1, 1000), 20L);
        long sendTimeoutMs = reads.of(() -> config.longValue("store.replication.send.timeout.ms", 1000, 1, 60_000), 1000L);
        int snapshotChunkBytes = reads.of(() -> config.integer("store.snapshot.chunk.bytes", 1 << 20, 1024, 64 << 20), 1 << 20);
        try {
            return new ReplicaSettings(3, heartbeatMs, electionMinMs, electionMaxMs, leaseMs, appendEntriesMax, appendBytesMax, inflightEntriesMax,
                    snapshotResendMs, snapshotStallMs, tickIntervalMs, sendTimeoutMs, snapshotChunkBytes);
        } catch (IllegalArgumentException e) {
            reads.error("config: store replication settings: " + keyNames(e.getMessage()));
            return ReplicaSettings.defaults();
        }
    }

    /** ReplicaSettings names its fields; an operator knows the keys. */
    private static String keyNames(String message) {
        String[][] keys = {
            {"heartbeatIntervalMs", "store.heartbeat.interval.ms"}, {"electionTimeoutMinMs", "store.election.timeout.min.ms"},
            {"electionTimeoutMaxMs", "store.election.timeout.max.ms"}, {"leaseMs", "store.lease.ms"},
            {"appendEntriesMax", "store.append.entries.max"}, {"appendBytesMax", "store.append.bytes.max"},
            {"inflightEntriesMax", "store.inflight.entries.max"}, {"snapshotResendMs", "store.snapshot.resend.ms"},
            {"snapshotStallMs", "store.snapshot.stall.ms"}, {"tickIntervalMs", "store.tick.interval.ms"},
            {"sendTimeoutMs", "store.replication.send.timeout.ms"}, {"snapshotChunkBytes", "store.snapshot.chunk.bytes"}};
        String named = message;
        for (String[] key : keys) {
            named = named.replaceAll("\\b" + key[0] + "\\b", key[1]);
        }
        return named;
    }

    public boolean replicated() {
        return !replicas.isEmpty();
    }

    public StoreConfig withPort(int boundPort) {
        return new StoreConfig(setId, dataDir, bindHost, boundPort, adminPort, ioThreads, ringSize, batchCommandsMax, inflightBatchesMax,
                commitWaitMsMax, readThreads, readQueueMax, readOpsMax, replicas, replicaIndex, replication, peerInflightCountMax, logRetention,
                joining, metaReplicas, metaPollMs, metaInflightCountMax, shutdownWaitMs, readyPrimaryGraceMs, tls);
    }

    /** Cross-key rules, each naming both keys and values; every broken rule is reported at once. */
    public StoreConfig validated() {
        Reads rules = new Reads();
        if (Integer.bitCount(ringSize) != 1) {
            rules.error("config: store.ring.size=" + ringSize + " must be a power of two");
        }
        if (batchCommandsMax > ringSize) {
            rules.error("config: store.batch.commands.max=" + batchCommandsMax + " must be <= store.ring.size=" + ringSize);
        }
        if (!replicas.isEmpty() && replicas.size() != replication.replicaCount()) {
            rules.error("config: store.replicas lists " + replicas.size() + " replicas; a SET has " + replication.replicaCount());
        }
        if (!replicas.isEmpty() && replicaIndex >= replicas.size()) {
            rules.error("config: store.replica.index=" + replicaIndex + " must be < the " + replicas.size() + " entries of store.replicas");
        }
        if (replication.appendBytesMax() > REPLICATION_MESSAGE_BYTES_MAX || replication.snapshotChunkBytes() > REPLICATION_MESSAGE_BYTES_MAX) {
            rules.error("config: store.append.bytes.max=" + replication.appendBytesMax() + " and store.snapshot.chunk.bytes="
                    + replication.snapshotChunkBytes() + " must be <= " + REPLICATION_MESSAGE_BYTES_MAX
                    + " (half an internal RPC frame: a replication message carries them whole)");
        }
        if (commitWaitMsMax <= replication.electionTimeoutMaxMs()) {
            rules.error("config: store.commit.wait.ms.max=" + commitWaitMsMax + " must be > store.election.timeout.max.ms="
                    + replication.electionTimeoutMaxMs() + " (a step-down refuses a waiting batch within an election timeout)");
        }
        if (readyPrimaryGraceMs <= replication.electionTimeoutMaxMs()) {
            rules.error("config: store.ready.primary.grace.ms=" + readyPrimaryGraceMs + " must be > store.election.timeout.max.ms="
                    + replication.electionTimeoutMaxMs() + " (an ordinary election must not make the replicas unready)");
        }
        rules.throwIfAny();
        return this;
    }

    /** Collects configuration errors so that one start-up failure names every bad key. */
    private static final class Reads {
        private final List<String> errors = new ArrayList<>();

        <T> T of(Supplier<T> read, T fallback) {
            try {
                return read.get();
            } catch (ConfigException e) {
                errors.add(e.getMessage());
                return fallback;
            }
        }

        void run(Runnable check) {
            try {
                check.run();
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            }
        }

        void error(String message) {
            errors.add(message);
        }

        void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new ConfigException(String.join("\n", errors));
            }
        }
    }
}

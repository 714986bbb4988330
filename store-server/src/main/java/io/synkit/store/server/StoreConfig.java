package io.synkit.store.server;

import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import io.synkit.store.log.LogRetention;
import io.synkit.store.replication.ReplicaSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * A store replica's settings, read and validated together at start-up.
 *
 * @param setId the SET this replica belongs to
 * @param dataDir RocksDB directory (one per replica)
 * @param bindHost address to listen on
 * @param port internal RPC port (0 = pick a free port)
 * @param adminPort admin HTTP port (0 = pick, -1 = none)
 * @param ringSize write ring slots (power of two): the write queue bound
 * @param batchCommandsMax commands per group commit at most
 * @param inflightBatchesMax batches committed at once at most (replicated SETs pipeline them)
 * @param readThreads reader pool size
 * @param readQueueMax reads waiting at most before UNAVAILABLE
 * @param readOpsMax ops per read page at most
 * @param replicas RPC addresses of all replicas of the SET in replica-index order; empty = a SET of one
 * @param replicaIndex this replica's index in {@code replicas}
 * @param replication election and lease timing
 * @param logRetention how much replication log is kept once applied, and how often it is truncated
 * @param metaReplicas the meta SET's replicas; when given, this store serves only the slots the
 *     slot map assigns to {@code setId} (empty: no ownership checks)
 * @param metaPollMs how often the slot map is fetched from the meta SET
 * @param joining this replica's disk may have lost data (a replaced or wiped replica): it must not
 *     vote or stand for election until it has caught up with a primary
 */
public record StoreConfig(String setId, Path dataDir, String bindHost, int port, int adminPort,
                          int ringSize, int batchCommandsMax, int inflightBatchesMax, int readThreads, int readQueueMax, int readOpsMax,
                          List<String> replicas, int replicaIndex, ReplicaSettings replication, LogRetention logRetention, boolean joining,
                          List<String> metaReplicas, long metaPollMs) {

    public static StoreConfig from(Config config) {
        StoreConfig store = new StoreConfig(
                config.string("store.set.id", "s1"),
                Path.of(config.requiredString("store.data.dir")),
                config.string("store.bind.host", "127.0.0.1"),
                config.integer("store.port", 7300, 0, 65535),
                config.integer("store.admin.port", -1, -1, 65535),
                config.integer("store.ring.size", 16_384, 64, 1 << 20),
                config.integer("store.batch.commands.max", 1024, 1, 1 << 20),
                config.integer("store.inflight.batches.max", 4, 1, 64),
                config.integer("store.read.threads", 2, 1, 64),
                config.integer("store.read.queue.max", 10_000, 1, 1_000_000),
                config.integer("store.read.ops.max", 1000, 1, 100_000),
                config.list("store.replicas"),
                config.integer("store.replica.index", 0, 0, 6),
                replicaSettings(config),
                new LogRetention(config.longValue("store.log.retain.entries", 10_000, 0, Long.MAX_VALUE),
                        config.longValue("store.log.lag.entries.max", 100_000, 0, Long.MAX_VALUE),
                        config.longValue("store.log.compact.interval.ms", 5000, 1, 3_600_000)),
                config.bool("store.replica.join", false),
                config.list("store.meta.replicas"),
                config.longValue("store.meta.poll.ms", 1000, 10, 600_000));
        config.checkNoUnknownKeys();
        return store.validated();
    }

    private static ReplicaSettings replicaSettings(Config config) {
        try {
            return new ReplicaSettings(3,
                    config.integer("store.heartbeat.interval.ms", 100, 1, 60_000),
                    config.integer("store.election.timeout.min.ms", 1000, 3, 600_000),
                    config.integer("store.election.timeout.max.ms", 2000, 4, 600_000),
                    config.integer("store.lease.ms", 700, 1, 600_000),
                    config.integer("store.append.entries.max", 512, 1, 100_000),
                    config.integer("store.append.bytes.max", 4 << 20, 1024, 64 << 20));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config: store replication timing: " + e.getMessage()
                    + " (keys store.heartbeat.interval.ms, store.election.timeout.min.ms, store.election.timeout.max.ms, store.lease.ms)");
        }
    }

    public boolean replicated() {
        return !replicas.isEmpty();
    }

    public StoreConfig withPort(int boundPort) {
        return new StoreConfig(setId, dataDir, bindHost, boundPort, adminPort, ringSize, batchCommandsMax, inflightBatchesMax, readThreads, readQueueMax,
                readOpsMax, replicas, replicaIndex, replication, logRetention, joining, metaReplicas, metaPollMs);
    }

    /** Cross-key rules, each naming both keys and values. */
    public StoreConfig validated() {
        if (Integer.bitCount(ringSize) != 1) {
            throw new ConfigException("config: store.ring.size=" + ringSize + " must be a power of two");
        }
        if (batchCommandsMax > ringSize) {
            throw new ConfigException("config: store.batch.commands.max=" + batchCommandsMax
                    + " must be <= store.ring.size=" + ringSize);
        }
        if (!replicas.isEmpty() && replicas.size() != replication.replicaCount()) {
            throw new ConfigException("config: store.replicas lists " + replicas.size() + " replicas; a SET has " + replication.replicaCount());
        }
        if (!replicas.isEmpty() && replicaIndex >= replicas.size()) {
            throw new ConfigException("config: store.replica.index=" + replicaIndex + " must be < the " + replicas.size() + " entries of store.replicas");
        }
        return this;
    }
}

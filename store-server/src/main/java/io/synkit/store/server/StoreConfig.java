package io.synkit.store.server;

import io.synkit.runtime.Config;
import java.nio.file.Path;

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
 * @param readThreads reader pool size
 * @param readQueueMax reads waiting at most before UNAVAILABLE
 * @param readOpsMax ops per read page at most
 */
public record StoreConfig(String setId, Path dataDir, String bindHost, int port, int adminPort,
                          int ringSize, int batchCommandsMax, int readThreads, int readQueueMax, int readOpsMax) {

    public static StoreConfig from(Config config) {
        StoreConfig store = new StoreConfig(
                config.string("store.set.id", "s1"),
                Path.of(config.requiredString("store.data.dir")),
                config.string("store.bind.host", "127.0.0.1"),
                config.integer("store.port", 7300, 0, 65535),
                config.integer("store.admin.port", -1, -1, 65535),
                config.integer("store.ring.size", 4096, 64, 1 << 20),
                config.integer("store.batch.commands.max", 512, 1, 1 << 20),
                config.integer("store.read.threads", 2, 1, 64),
                config.integer("store.read.queue.max", 10_000, 1, 1_000_000),
                config.integer("store.read.ops.max", 1000, 1, 100_000));
        config.checkNoUnknownKeys();
        return store.validated();
    }

    /** Cross-key rules, each naming both keys and values. */
    public StoreConfig validated() {
        if (Integer.bitCount(ringSize) != 1) {
            throw new io.synkit.runtime.ConfigException("config: store.ring.size=" + ringSize + " must be a power of two");
        }
        if (batchCommandsMax > ringSize) {
            throw new io.synkit.runtime.ConfigException("config: store.batch.commands.max=" + batchCommandsMax
                    + " must be <= store.ring.size=" + ringSize);
        }
        return this;
    }
}

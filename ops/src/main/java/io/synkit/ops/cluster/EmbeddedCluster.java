package io.synkit.ops.cluster;

import io.synkit.access.server.AccessConfig;
import io.synkit.access.server.AccessServer;
import io.synkit.logic.server.LogicConfig;
import io.synkit.logic.server.LogicServer;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.Config;
import io.synkit.store.server.StoreConfig;
import io.synkit.store.server.StoreServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole system in one JVM: a meta SET holding the slot map, {@code setCount} store SETs (one
 * replica each), one logic node and one access node, each on its own loopback port and talking
 * over real sockets, with data under one directory. Stores and logic watch the slot map in the
 * meta SET. Stores can be restarted in place (same port, same data) to test recovery.
 */
public final class EmbeddedCluster implements AutoCloseable {

    private final Path dataDir;
    private final boolean deleteDataOnClose;
    private final int heartbeatIntervalMs;
    private final List<StoreServer> stores = new ArrayList<>();
    private final List<StoreConfig> storeConfigs = new ArrayList<>();
    private StoreServer meta;
    private LogicServer logic;
    private AccessServer access;

    private EmbeddedCluster(Path dataDir, boolean deleteDataOnClose, int heartbeatIntervalMs) {
        this.dataDir = dataDir;
        this.deleteDataOnClose = deleteDataOnClose;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    /** Starts a cluster under a fresh temp directory that is deleted on close. */
    public static EmbeddedCluster start(int setCount, int heartbeatIntervalMs) throws Exception {
        return start(setCount, heartbeatIntervalMs, LOGIC_META_POLL_MS_DEFAULT);
    }

    /** As {@link #start(int, int)}, with the logic node fetching the slot map every {@code logicMetaPollMs}. */
    public static EmbeddedCluster start(int setCount, int heartbeatIntervalMs, long logicMetaPollMs) throws Exception {
        return start(setCount, heartbeatIntervalMs, logicMetaPollMs, Map.of());
    }

    /** As {@link #start(int, int)}, with these logic settings on top (e.g. {@code logic.group.members.max}). */
    public static EmbeddedCluster start(int setCount, int heartbeatIntervalMs, Map<String, String> logicSettings) throws Exception {
        return start(setCount, heartbeatIntervalMs, LOGIC_META_POLL_MS_DEFAULT, logicSettings);
    }

    private static EmbeddedCluster start(int setCount, int heartbeatIntervalMs, long logicMetaPollMs, Map<String, String> logicSettings)
            throws Exception {
        EmbeddedCluster cluster = new EmbeddedCluster(Files.createTempDirectory("synkit-"), true, heartbeatIntervalMs);
        try {
            cluster.boot(setCount, logicMetaPollMs, logicSettings);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static final long LOGIC_META_POLL_MS_DEFAULT = 1000;
    private static final long STORE_META_POLL_MS = 200;
    private static final long BOOT_TIMEOUT_MS = 15_000;

    private void boot(int setCount, long logicMetaPollMs, Map<String, String> logicSettings) throws Exception {
        meta = new StoreServer(StoreConfig.from(Config.of(Map.of(
                "store.set.id", "meta",
                "store.data.dir", dataDir.resolve("meta-r1").toString(),
                "store.port", "0")))).start();
        for (int i = 1; i <= setCount; i++) {
            StoreConfig config = StoreConfig.from(Config.of(Map.of(
                    "store.set.id", "s" + i,
                    "store.data.dir", dataDir.resolve("s" + i + "-r1").toString(),
                    "store.port", "0",
                    "store.meta.replicas", meta.hostPort(),
                    "store.meta.poll.ms", Long.toString(STORE_META_POLL_MS))));
            StoreServer store = new StoreServer(config).start();
            // Pin the port the OS chose, so a restart comes back at the same address.
            storeConfigs.add(config.withPort(store.address().getPort()));
            stores.add(store);
        }
        List<String> setSpecs = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            setSpecs.add(storeConfigs.get(i).setId() + "=" + stores.get(i).hostPort());
        }
        SlotMap map = SlotMap.parse(1, SlotMap.SLOT_COUNT_DEFAULT, String.join(",", setSpecs));
        try (SlotMapAdmin admin = new SlotMapAdmin(List.of(meta.hostPort()))) {
            admin.put(0, map, BOOT_TIMEOUT_MS);
        }
        Map<String, String> logicConfig = new java.util.HashMap<>(Map.of(
                "logic.port", "0",
                "logic.meta.replicas", meta.hostPort(),
                "logic.meta.poll.ms", Long.toString(logicMetaPollMs),
                "logic.outbox.interval.ms", "500",
                "logic.outbox.min.age.ms", "2000"));
        logicConfig.putAll(logicSettings);
        logic = new LogicServer(LogicConfig.from(Config.of(logicConfig))).start();
        awaitSlotMapEverywhere(map.version());
        access = new AccessServer(AccessConfig.from(Config.of(Map.of(
                "access.port", "0",
                "access.push.port", "0",
                "access.logic.nodes", logic.hostPort(),
                "access.heartbeat.interval.ms", Integer.toString(heartbeatIntervalMs))))).start();
    }

    /** Waits until every store and the logic node route and check by slot map {@code version} or newer. */
    public void awaitSlotMapEverywhere(long version) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOOT_TIMEOUT_MS);
        while (logic.slotMapVersion() < version || stores.stream().anyMatch(store -> store.replicaStatus().getSlotMapVersion() < version)) {
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("slot map version " + version + " did not reach every node within " + BOOT_TIMEOUT_MS + " ms: logic at "
                        + logic.slotMapVersion() + ", stores at " + stores.stream().map(store -> store.replicaStatus().getSlotMapVersion()).toList());
            }
            Thread.sleep(20);
        }
    }

    /** The meta SET's replica address (host:port). */
    public String metaAddress() {
        return meta.hostPort();
    }

    public LogicServer logic() {
        return logic;
    }

    public StoreServer store(int index) {
        return stores.get(index);
    }

    public InetSocketAddress accessAddress() {
        return access.clientAddress();
    }

    public AccessServer access() {
        return access;
    }

    public int storeCount() {
        return stores.size();
    }

    /** Stops store {@code index} (as a crash would, minus the kill) and starts it again on the same port and data. */
    public void restartStore(int index) throws Exception {
        stores.get(index).close();
        stores.set(index, new StoreServer(storeConfigs.get(index)).start());
    }

    @Override
    public void close() throws IOException {
        if (access != null) {
            access.close();
        }
        if (logic != null) {
            logic.close();
        }
        stores.forEach(StoreServer::close);
        if (meta != null) {
            meta.close();
        }
        if (deleteDataOnClose) {
            Directories.deleteTree(dataDir);
        }
    }
}

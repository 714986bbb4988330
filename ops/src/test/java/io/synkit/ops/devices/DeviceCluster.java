package io.synkit.ops.devices;

import io.synkit.access.server.AccessConfig;
import io.synkit.access.server.AccessServer;
import io.synkit.logic.server.LogicConfig;
import io.synkit.logic.server.LogicServer;
import io.synkit.ops.cluster.Directories;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.runtime.Clock;
import io.synkit.runtime.Config;
import io.synkit.store.server.StoreConfig;
import io.synkit.store.server.StoreServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What device tests need in one JVM, on real loopback sockets: one SET of three replicas (so its
 * primary can fail over), a logic node routing to it by a fixed slot map, and two access nodes, so
 * a session can be ended on a node other than the one a request came through.
 */
final class DeviceCluster implements AutoCloseable {

    static final int REPLICAS = 3;
    private static final long PRIMARY_TIMEOUT_MS = 15_000;

    private final Path dir;
    private final List<StoreServer> replicas = new ArrayList<>();
    private final List<AccessServer> access = new ArrayList<>();
    private LogicServer logic;

    private DeviceCluster(Path dir) {
        this.dir = dir;
    }

    static DeviceCluster start() throws Exception {
        DeviceCluster cluster = new DeviceCluster(Files.createTempDirectory("synkit-devices-"));
        try {
            cluster.boot();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void boot() throws Exception {
        int base = FreePorts.base(REPLICAS);
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            addresses.add("127.0.0.1:" + (base + i));
        }
        for (int i = 0; i < REPLICAS; i++) {
            replicas.add(new StoreServer(StoreConfig.from(Config.of(Map.of(
                    "store.set.id", "s1",
                    "store.data.dir", dir.resolve("s1-r" + i).toString(),
                    "store.port", Integer.toString(base + i),
                    "store.replicas", String.join(",", addresses),
                    "store.replica.index", Integer.toString(i))))).start());
        }
        awaitPrimary();
        logic = new LogicServer(LogicConfig.from(Config.of(Map.of(
                "logic.port", "0",
                "logic.store.sets", "s1=" + String.join("|", addresses))))).start();
        for (int i = 0; i < 2; i++) {
            startAccess(Map.of());
        }
    }

    /** Another access node of the cluster, with these settings besides its ports and logic node; returns its index. */
    int startAccess(Map<String, String> settings) throws Exception {
        return startAccess(settings, Clock.SYSTEM);
    }

    /** As {@link #startAccess(Map)}, on {@code clock} (a test's ManualClock moves the node's deadlines and presence). */
    int startAccess(Map<String, String> settings, Clock clock) throws Exception {
        Map<String, String> config = new HashMap<>(settings);
        config.put("access.port", "0");
        config.put("access.push.port", "0");
        config.put("access.logic.nodes", logic.hostPort());
        access.add(new AccessServer(AccessConfig.from(Config.of(config)), clock, reason -> {
            throw new AssertionError("the access node would have halted: " + reason);
        }).start());
        return access.size() - 1;
    }

    InetSocketAddress access(int index) {
        return access.get(index).clientAddress();
    }

    AccessServer accessServer(int index) {
        return access.get(index);
    }

    /** The replica that is primary now, once there is one. */
    StoreServer awaitPrimary() throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PRIMARY_TIMEOUT_MS);
        while (System.nanoTime() < deadlineNs) {
            for (StoreServer replica : replicas) {
                if (replica != null && "PRIMARY".equals(replica.replicaStatus().getRole()) && replica.replicaStatus().getLeaseValid()) {
                    return replica;
                }
            }
            Thread.sleep(20); // an election takes one to two election timeouts; bounded by the deadline
        }
        throw new IllegalStateException("no primary with a lease within " + PRIMARY_TIMEOUT_MS + " ms");
    }

    /** Stops the primary (as a crash would, minus the kill); the other two elect a new one. */
    void stopPrimary() throws InterruptedException {
        StoreServer primary = awaitPrimary();
        replicas.set(replicas.indexOf(primary), null);
        primary.close();
    }

    @Override
    public void close() throws Exception {
        access.forEach(AccessServer::close);
        if (logic != null) {
            logic.close();
        }
        replicas.stream().filter(replica -> replica != null).forEach(StoreServer::close);
        Directories.deleteTree(dir);
    }
}

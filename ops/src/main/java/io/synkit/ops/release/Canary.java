package io.synkit.ops.release;

import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.SlotMapAdmin;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The simulated clients of one soak: 4 users with 2 devices each, all homed on the SET being
 * released when a SET is (so every send lands on it), fresh user ids per soak (a run judges only what it sent),
 * sending at a constant rate through the cluster's first access node for the soak, then
 * converging; their checker's verdict is a gate. Progress goes to a log file of its own.
 */
final class Canary {

    private static final int USERS = 4;
    private static final int DEVICES_PER_USER = 2;
    private static final long CONVERGE_TIMEOUT_MS = 30_000;
    /** Canary users live far above any simulated run's users (which count from 1). */
    private static final long USER_ID_FLOOR = 1_000_000_000L;

    private Canary() {
    }

    /** Starts the clients on a thread of their own; the future completes with their verdict. */
    static CompletableFuture<RunReport> start(LocalCluster cluster, Optional<String> set, double messagesPerSecond, long durationMs, Path log)
            throws IOException {
        List<Long> users = usersOf(cluster, set);
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        InetSocketAddress access = RpcClientPool.parseAddress(cluster.accessClients().split(",")[0]);
        long seed = new SecureRandom().nextLong();
        List<Integer> devices = new ArrayList<>();
        users.forEach(user -> devices.add(DEVICES_PER_USER));
        LoadSettings settings = new LoadSettings(List.of(access), devices, messagesPerSecond, durationMs, CONVERGE_TIMEOUT_MS, seed);
        Files.createDirectories(log.getParent());
        PrintStream out = new PrintStream(Files.newOutputStream(log), true);
        LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), out)
                .startingAtUser(users.get(0));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } finally {
                out.close();
            }
        });
    }

    /**
     * {@value #USERS} consecutive user ids, from a random start, whose inboxes all live on
     * {@code set} by the meta SET's slot map when given (consecutive because a run numbers its users so).
     */
    private static List<Long> usersOf(LocalCluster cluster, Optional<String> set) throws IOException {
        SlotMap map;
        try (SlotMapAdmin admin = new SlotMapAdmin(cluster.runningMetaReplicas())) {
            map = admin.read().orElseThrow(() -> new IOException("the meta SET holds no slot map"));
        }
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 1_000_000; attempt++) {
            long first = USER_ID_FLOOR + (random.nextLong() & 0xFFFF_FFFFL) * 8;
            List<Long> users = new ArrayList<>();
            for (long user = first; user < first + USERS && homedOn(map, set, user); user++) {
                users.add(user);
            }
            if (users.size() == USERS) {
                return users;
            }
        }
        throw new IOException("no " + USERS + " consecutive users homed on SET " + set.orElse("?") + " were found: does the slot map give it slots?");
    }

    private static boolean homedOn(SlotMap map, Optional<String> set, long user) {
        return set.isEmpty() || map.setOfUser(user).setId().equals(set.get());
    }
}

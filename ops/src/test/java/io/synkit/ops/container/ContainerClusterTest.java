package io.synkit.ops.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.ServerStatus;
import io.synkit.ops.process.NextBuild;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.BuildInfo;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster in containers, from the image {@code ops/container/build-image.sh} builds (a
 * jlink'd runtime and the jars, imported with {@code docker import}): a SET of 3, a logic and an
 * access node, each in its own container on a network of their own; simulated clients send
 * through the access node's published port while the SET is gray-released in containers to a
 * second image (this build with another version written into its jars): each replica's container
 * is stopped (SIGTERM: the primary hands over first) and started again on the new image, keeping
 * its volume, backups first. Nothing may be lost, duplicated or reordered. Skipped, saying why,
 * where no Docker daemon answers; everything it made (containers, network, volumes, images) is
 * removed, pass or fail.
 */
class ContainerClusterTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 23L);
    private static final int SECONDS = Integer.getInteger("synkit.container.seconds", 40);
    private static final long READY_TIMEOUT_MS = 120_000;
    private static final Path PROJECT = Path.of("..");

    @TempDir
    Path dir;

    private final String id = "synkit-ct-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    private final Map<String, List<String>> commands = new LinkedHashMap<>();

    @Test
    void aSetLogicAndAccessServeClientsInContainersWhileTheSetIsReleasedToANewImage() throws Exception {
        String unavailable = DockerCli.unavailableReason();
        Assumptions.assumeTrue(unavailable == null, "Docker is not available here: " + unavailable);
        System.out.println("seed=" + SEED + " seconds=" + SECONDS + " id=" + id);
        String image = id + ":current";
        String next = id + ":next";
        String nextVersion = BuildInfo.current().version() + "-next";
        try {
            DockerCli.run(List.of("bash", PROJECT.resolve("ops/container/build-image.sh").toString(), image));
            nextImage(image, next, nextVersion);
            DockerCli.docker("network", "create", id);
            List<String> replicas = List.of(id + "-s1-0", id + "-s1-1", id + "-s1-2");
            for (int r = 0; r < 3; r++) {
                start(replicas.get(r), image, List.of("-v", replicas.get(r) + ":/var/lib/synkit", "-p", "127.0.0.1::9300"),
                        List.of("-Xmx256m", "-cp", "/opt/synkit/lib/store-server-all.jar", "io.synkit.store.StoreServerMain", "--store.set.id=s1",
                                "--store.data.dir=/var/lib/synkit", "--store.bind.host=0.0.0.0", "--store.port=7300", "--store.admin.port=9300",
                                "--store.replicas=" + String.join(",", replicas.stream().map(node -> node + ":7300").toList()), "--store.replica.index=" + r));
            }
            start(id + "-logic", image, List.of("-p", "127.0.0.1::9200"), List.of("-Xmx256m", "-cp", "/opt/synkit/lib/logic-server-all.jar",
                    "io.synkit.logic.LogicServerMain", "--logic.bind.host=0.0.0.0", "--logic.port=7200", "--logic.admin.port=9200",
                    "--logic.store.sets=s1=" + String.join("|", replicas.stream().map(node -> node + ":7300").toList())));
            start(id + "-access", image, List.of("-p", "127.0.0.1::7100", "-p", "127.0.0.1::9100"), List.of("-Xmx256m", "-cp",
                    "/opt/synkit/lib/access-server-all.jar", "io.synkit.access.AccessServerMain", "--access.bind.host=0.0.0.0",
                    "--access.advertised.host=" + id + "-access", "--access.port=7100", "--access.push.port=7101", "--access.admin.port=9100",
                    "--access.logic.nodes=" + id + "-logic:7200"));
            for (String container : commands.keySet()) {
                awaitReady(container);
            }
            AtomicReference<Throwable> releaseFailure = new AtomicReference<>();
            RunReport report = load().at(2000, "gray release of s1 in containers", () -> {
                try {
                    release(replicas, next, nextVersion);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    releaseFailure.set(e);
                }
            }).run();

            assertNull(releaseFailure.get(), "the release in containers ran");
            for (String replica : replicas) {
                assertEquals(nextVersion, ServerStatus.fetch(replica, admin(replica), 5000).pairs().get("version"), replica + " runs the new image");
            }
            assertEquals(0, report.check().failed(), report.resultLine());
            assertEquals(0, report.check().lost(), report.resultLine());
            assertEquals(0, report.check().duplicated(), report.resultLine());
            assertEquals(0, report.check().reordered(), report.resultLine());
            assertTrue(report.converged() && report.check().acked() > 0, report.resultLine());
        } finally {
            for (String container : commands.keySet()) {
                DockerCli.quietly("rm", "-f", container);
                DockerCli.quietly("volume", "rm", container);
            }
            DockerCli.quietly("network", "rm", id);
            DockerCli.quietly("image", "rm", image, next);
        }
    }

    /** The second image: the first with this build's jars carrying another version (docker cp into a stopped container, commit). */
    private void nextImage(String image, String next, String version) throws IOException, InterruptedException {
        Path jars = NextBuild.jars(dir.resolve("next"), version);
        String builder = id + "-builder";
        DockerCli.docker("create", "--name", builder, image, "/opt/synkit/bin/java", "-version");
        try {
            for (String jar : List.of("store-server-all.jar", "logic-server-all.jar", "access-server-all.jar")) {
                DockerCli.docker("cp", jars.resolve(jar).toString(), builder + ":/opt/synkit/lib/" + jar);
            }
            DockerCli.docker("commit", builder, next);
        } finally {
            DockerCli.quietly("rm", "-f", builder);
        }
    }

    /** Backups first, the primary last (it hands over on SIGTERM); each container stopped and started on the new image, ready, on the new version. */
    private void release(List<String> replicas, String next, String version) throws IOException, InterruptedException {
        List<String> order = new ArrayList<>();
        String primary = null;
        for (String replica : replicas) {
            if ("PRIMARY".equals(ServerStatus.fetch(replica, admin(replica), 5000).pairs().get("replica_role"))) {
                primary = replica;
            } else {
                order.add(replica);
            }
        }
        assertTrue(primary != null, "the SET has a primary before its release");
        order.add(primary);
        for (String replica : order) {
            long startNs = System.nanoTime();
            DockerCli.docker("stop", "-t", "30", replica);
            DockerCli.docker("rm", replica);
            List<String> command = new ArrayList<>(commands.get(replica));
            command.set(command.indexOf(command.stream().filter(arg -> arg.startsWith(id + ":")).findFirst().orElseThrow()), next);
            DockerCli.run(command);
            awaitReady(replica);
            String running = ServerStatus.fetch(replica, admin(replica), 5000).pairs().get("version");
            System.out.println("released " + replica + (replica.equals(primary) ? " (was primary)" : "") + " to " + running + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            assertEquals(version, running);
        }
    }

    private void start(String container, String image, List<String> dockerOptions, List<String> java) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker", "run", "-d", "--name", container, "--network", id, "--network-alias", container));
        command.addAll(dockerOptions);
        command.add(image);
        command.add("/opt/synkit/bin/java");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(java);
        commands.put(container, command);
        DockerCli.run(command);
    }

    /** The container's admin port as published on this host. */
    private static String admin(String container) throws IOException, InterruptedException {
        String port = container.endsWith("-logic") ? "9200" : container.endsWith("-access") ? "9100" : "9300";
        return DockerCli.docker("port", container, port).lines().findFirst().orElseThrow();
    }

    private static void awaitReady(String container) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        String notReady = ServerStatus.notReadyReason(admin(container), 2000);
        while (notReady != null) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IOException(container + " not ready within " + READY_TIMEOUT_MS + " ms: " + notReady + "; its log:\n"
                        + DockerCli.docker("logs", "--tail", "20", container));
            }
            Thread.sleep(200); // the container's JVM starts at its own pace; bounded by the deadline
            notReady = ServerStatus.notReadyReason(admin(container), 2000);
        }
    }

    private LoadRun load() throws IOException, InterruptedException {
        String[] client = DockerCli.docker("port", id + "-access", "7100").lines().findFirst().orElseThrow().split(":");
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        LoadSettings settings = LoadSettings.uniform(List.of(new InetSocketAddress(client[0], Integer.parseInt(client[1]))), 10, 2, 50,
                SECONDS * 1000L, 60_000, SEED);
        return new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);
    }
}

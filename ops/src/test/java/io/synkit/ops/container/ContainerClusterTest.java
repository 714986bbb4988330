package io.synkit.ops.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.ServerStatus;
import io.synkit.ops.process.NextBuild;
import io.synkit.ops.scenario.Scenario;
import io.synkit.ops.scenario.ScenarioRunner;
import io.synkit.runtime.BuildInfo;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.chaos.ChaosProxy;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.RunObserver;
import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
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
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.lifecycle.Startables;

/**
 * The cluster in containers (Testcontainers), from the image {@code ops/container/build-image.sh}
 * builds (a jlink'd runtime and the jars, imported with {@code docker import}): a SET of 3, a logic
 * and an access node, each in its own container on a network of their own; the smoke scenario's
 * devices send through the access node's published port while the SET is gray-released in
 * containers to a second image (this build with another version written into its jars): each
 * replica's container is stopped (SIGTERM: the primary hands over first) and a container of the new
 * image takes its name and its data directory, backups first, each ready and on the new version
 * before the next. Nothing may be lost, duplicated or reordered. Skipped, saying why, where no
 * Docker daemon answers; everything it made (containers, network, images) is removed, pass or fail.
 */
class ContainerClusterTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 23L);
    private static final int SECONDS = Integer.getInteger("synkit.container.seconds", 30);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final int STOP_TIMEOUT_S = 30;
    private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> REPLICAS = List.of("s1-0", "s1-1", "s1-2");
    private static final List<String> SERVER_JARS = List.of("store-server-all.jar", "logic-server-all.jar", "access-server-all.jar");

    @TempDir
    Path dir;

    private final String id = "synkit-ct-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    /** Running containers by node name (also their network alias). */
    private final Map<String, GenericContainer<?>> nodes = new LinkedHashMap<>();
    private final List<ChaosProxy> proxies = new ArrayList<>();

    @Test
    void aSetLogicAndAccessServeClientsInContainersWhileTheSetIsReleasedToANewImage() throws Exception {
        String unavailable = dockerUnavailableReason();
        Assumptions.assumeTrue(unavailable == null, "Docker is not available here: " + unavailable);
        System.out.println("seed=" + SEED + " seconds=" + SECONDS + " id=" + id);
        String image = id + ":current";
        String next = id + ":next";
        String nextVersion = BuildInfo.current().version() + "-next";
        EventLoopGroup proxyLoops = NettyThreads.group("container-test-chaos", 1);
        Network network = Network.newNetwork();
        try {
            buildImage(image);
            nextImage(image, next, nextVersion);
            List<String> replicas = REPLICAS;
            String replicaAddresses = String.join(",", replicas.stream().map(node -> node + ":7300").toList());
            for (int r = 0; r < replicas.size(); r++) {
                nodes.put(replicas.get(r), store(image, network, replicas.get(r), replicaAddresses, r));
            }
            // In parallel: a replica is ready only once its SET has a primary, which needs two of them.
            Startables.deepStart(nodes.values()).join();
            start("logic", container(image, network, "logic").withCommand(java("logic-server-all.jar", "io.synkit.logic.LogicServerMain",
                    "--logic.bind.host=0.0.0.0", "--logic.port=7200", "--logic.admin.port=9200",
                    "--logic.store.sets=s1=" + replicaAddresses.replace(',', '|'))));
            start("access", container(image, network, "access").withExposedPorts(7100, adminPort("access")).withCommand(java("access-server-all.jar",
                    "io.synkit.access.AccessServerMain", "--access.bind.host=0.0.0.0", "--access.advertised.host=access", "--access.port=7100",
                    "--access.push.port=7101", "--access.admin.port=9100", "--access.logic.nodes=logic:7200")));

            AtomicReference<Throwable> releaseFailure = new AtomicReference<>();
            RunReport report;
            try {
                report = smokeScenario(proxyLoops).at(2000, "gray release of s1 in containers", () -> {
                    try {
                        release(replicas, next, network, replicaAddresses, nextVersion);
                    } catch (RuntimeException | AssertionError e) {
                        releaseFailure.set(e);
                    }
                }).run();
            } finally {
                proxies.forEach(ChaosProxy::close);
            }

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
            proxyLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            nodes.values().forEach(GenericContainer::stop);
            network.close(); // after its containers: a network with containers attached is not removed
            for (String replica : REPLICAS) {
                try {
                    DockerClientFactory.instance().client().removeVolumeCmd(volume(replica)).exec();
                } catch (RuntimeException e) {
                    System.out.println("volume " + volume(replica) + " not removed: " + e.getMessage()); // never made, when a start failed early
                }
            }
            for (String tag : List.of(image, next)) {
                try {
                    DockerClientFactory.instance().client().removeImageCmd(tag).withForce(true).exec();
                } catch (RuntimeException e) {
                    System.out.println("image " + tag + " not removed: " + e.getMessage()); // never built, when the build failed
                }
            }
        }
    }

    /**
     * Null when Testcontainers finds a Docker daemon and the {@code docker} command (the image build
     * imports with it) reaches one too; else why not.
     */
    private static String dockerUnavailableReason() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "Testcontainers found no Docker daemon (start dockerd; .ci/run does in CI)";
        }
        try {
            Process info = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}").redirectErrorStream(true).start();
            String output = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!info.waitFor(30, TimeUnit.SECONDS)) {
                info.destroyForcibly();
                return "docker info did not answer within 30 s";
            }
            return info.exitValue() == 0 ? null : "the docker command reaches no daemon to import the image into (" + output + ")";
        } catch (IOException e) {
            return "no docker command to import the image with (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The image of this build's packaged servers, by the script operators use. */
    private void buildImage(String tag) throws IOException, InterruptedException {
        Path log = dir.resolve("build-image.log");
        Process build = new ProcessBuilder("bash", PROJECT.resolve("ops/container/build-image.sh").toString(), "--servers-only", tag)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!build.waitFor(5, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new IOException("build-image.sh did not finish within 5 minutes");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8).trim();
        if (build.exitValue() != 0) {
            throw new IOException("build-image.sh exited " + build.exitValue() + ": " + output);
        }
        System.out.println(output);
    }

    /** The second image: the first with this build's jars carrying another version. */
    private void nextImage(String image, String next, String version) throws IOException {
        Path jars = NextBuild.jars(dir.resolve("next"), version);
        ImageFromDockerfile build = new ImageFromDockerfile(next, false).withDockerfileFromBuilder(dockerfile -> {
            dockerfile.from(image);
            SERVER_JARS.forEach(jar -> dockerfile.copy(jar, "/opt/synkit/lib/" + jar));
        });
        SERVER_JARS.forEach(jar -> build.withFileFromPath(jar, jars.resolve(jar)));
        build.get();
    }

    /**
     * A store replica with its data on the named volume {@code <id>-<node>}, which outlives the
     * container (as a StatefulSet's volume claim outlives its pod). Bound through the create
     * command: Testcontainers' own file binds first test, with an image from a registry, whether
     * the daemon sees this host's files.
     */
    private GenericContainer<?> store(String image, Network network, String node, String replicaAddresses, int index) {
        Bind data = new Bind(volume(node), new Volume("/var/lib/synkit"));
        return container(image, network, node).withCreateContainerCmdModifier(create -> create.getHostConfig().withBinds(data))
                .withCommand(java("store-server-all.jar", "io.synkit.store.StoreServerMain", "--store.set.id=s1", "--store.data.dir=/var/lib/synkit",
                        "--store.bind.host=0.0.0.0", "--store.port=7300", "--store.admin.port=9300", "--store.replicas=" + replicaAddresses,
                        "--store.replica.index=" + index));
    }

    /** A node's container: named after the test and the node, found by the node's name on the network, ready when its admin port says so. */
    private GenericContainer<?> container(String image, Network network, String node) {
        String name = id + "-" + node + "-" + image.substring(image.indexOf(':') + 1);
        return new GenericContainer<>(image).withNetwork(network).withNetworkAliases(node).withExposedPorts(adminPort(node))
                .withCreateContainerCmdModifier(create -> create.withName(name))
                .waitingFor(Wait.forHttp("/health/ready").forPort(adminPort(node)).forStatusCode(200).withStartupTimeout(READY_TIMEOUT));
    }

    private String volume(String node) {
        return id + "-" + node;
    }

    private static int adminPort(String node) {
        return node.equals("logic") ? 9200 : node.equals("access") ? 9100 : 9300;
    }

    private void start(String node, GenericContainer<?> container) {
        nodes.put(node, container);
        container.start();
    }

    private static String[] java(String jar, String mainClass, String... flags) {
        List<String> command = new ArrayList<>(List.of("/opt/synkit/bin/java", "-XX:+ExitOnOutOfMemoryError", "-Xmx256m", "-cp",
                "/opt/synkit/lib/" + jar, mainClass));
        command.addAll(List.of(flags));
        return command.toArray(String[]::new);
    }

    /**
     * Backups first, the primary last (it hands over on SIGTERM): each container stopped, and one of
     * the new image started with its name and data directory, ready and on the new version.
     */
    private void release(List<String> replicas, String next, Network network, String replicaAddresses, String version) {
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
            GenericContainer<?> old = nodes.remove(replica);
            DockerClientFactory.instance().client().stopContainerCmd(old.getContainerId()).withTimeout(STOP_TIMEOUT_S).exec();
            old.stop();
            start(replica, store(next, network, replica, replicaAddresses, replicas.indexOf(replica)));
            String running = ServerStatus.fetch(replica, admin(replica), 5000).pairs().get("version");
            System.out.println("released " + replica + (replica.equals(primary) ? " (was primary)" : "") + " to " + running + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            assertEquals(version, running);
        }
    }

    /** A node's admin port as published on this host. */
    private String admin(String node) {
        GenericContainer<?> container = nodes.get(node);
        return container.getHost() + ":" + container.getMappedPort(adminPort(node));
    }

    /**
     * The smoke scenario ({@code scenarios/smoke.yaml}: chatty, idle on 3G, multi-device on flaky
     * wifi and group-heavy users) against the access container's published port, sending for the
     * release's length instead of its 8 s.
     */
    private LoadRun smokeScenario(EventLoopGroup proxyLoops) throws IOException, InterruptedException {
        GenericContainer<?> access = nodes.get("access");
        Scenario smoke = Scenario.load(PROJECT.resolve("scenarios").resolve("smoke.yaml"));
        Scenario longer = new Scenario(smoke.name(), smoke.description(), smoke.seed(), smoke.cluster(), SECONDS, smoke.ratePerS(), 60,
                smoke.groups(), smoke.faults());
        return new ScenarioRunner(longer, SEED, dir.resolve("smoke"), System.out)
                .load(new InetSocketAddress(access.getHost(), access.getMappedPort(7100)), proxyLoops, proxies, RunObserver.NONE);
    }
}

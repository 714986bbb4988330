package io.synkit.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * Three Apache Kafka brokers in KRaft mode, each its own JVM on loopback and each also a voter of
 * the controller quorum (combined mode, as a 3-machine Kafka is usually run): the reference that
 * {@code ops bench} measures beside a synkit SET. The brokers run from the jars the build copied
 * from Maven Central into {@code bench-kafka/target/kafka-lib}, with Kafka's own default heap and
 * collector settings ({@code kafka-server-start.sh}: 1 GiB, G1 with a 20 ms pause goal).
 *
 * <p>Started processes are killed when this JVM exits ({@link #close} stops them gracefully
 * first), so an interrupted benchmark leaves no broker behind.
 */
final class KafkaBrokers implements AutoCloseable {

    static final int BROKERS = 3;
    /** Ports from the base port: a client listener per broker, then a controller listener per broker. */
    static final int PORT_COUNT = 2 * BROKERS;
    static final List<String> JVM_OPTIONS = List.of("-Xmx1G", "-Xms1G", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");
    private static final long READY_TIMEOUT_MS = 120_000;
    /** Scratch data: a broker that has not stopped by then is killed (3 brokers stopping at once may wait on a quorum that is going away). */
    private static final long STOP_GRACE_MS = 5_000;
    private static final String LOG4J2_CONFIG = """
            status = warn
            appender.console.type = Console
            appender.console.name = console
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = WARN
            rootLogger.appenderRef.console.ref = console
            """;

    private final Path dir;
    private final int basePort;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    /** Every process started here (formats too), for the exit hook: read from its thread. */
    private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread exitHook;

    private KafkaBrokers(Path dir, int basePort) {
        this.dir = dir;
        this.basePort = basePort;
        this.exitHook = new Thread(() -> started.forEach(Process::destroyForcibly), "kafka-brokers-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /**
     * Formats each broker's log directory in {@code dir} (one cluster id for all three) and starts
     * them; returns once all three are registered with the controller quorum.
     *
     * @param java the {@code java} executable to run the brokers with
     */
    static KafkaBrokers start(Path dir, Path kafkaLib, Path java, int basePort) throws IOException, InterruptedException {
        if (!Files.isDirectory(kafkaLib) || listJars(kafkaLib).isEmpty()) {
            throw new IOException("no Kafka jars in " + kafkaLib + ": build first (mvn -B -q -DskipTests package copies them there), or give --kafka-lib");
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("log4j2.properties"), LOG4J2_CONFIG);
        String clusterId = Uuid.randomUuid().toString();
        KafkaBrokers brokers = new KafkaBrokers(dir, basePort);
        try {
            List<Process> formats = new ArrayList<>();
            for (int id = 1; id <= BROKERS; id++) {
                Path config = brokers.writeConfig(id);
                formats.add(brokers.java(java, kafkaLib, List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()),
                        dir.resolve("format-" + id + ".log")));
            }
            for (int i = 0; i < formats.size(); i++) {
                if (!formats.get(i).waitFor(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS) || formats.get(i).exitValue() != 0) {
                    throw new IOException("formatting Kafka broker " + (i + 1) + " failed: see " + dir.resolve("format-" + (i + 1) + ".log"));
                }
            }
            for (int id = 1; id <= BROKERS; id++) {
                List<String> command = new ArrayList<>(JVM_OPTIONS);
                command.addAll(List.of("kafka.Kafka", dir.resolve("broker-" + id + ".properties").toString()));
                brokers.processes.put("kafka-" + id, brokers.java(java, kafkaLib, command, dir.resolve("broker-" + id + ".log")));
            }
            brokers.awaitRegistered();
            return brokers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            brokers.close();
            throw e;
        }
    }

    private static List<Path> listJars(Path kafkaLib) throws IOException {
        try (var files = Files.list(kafkaLib)) {
            return files.filter(file -> file.toString().endsWith(".jar")).toList();
        }
    }

    private Path writeConfig(int id) throws IOException {
        Properties config = new Properties();
        config.setProperty("process.roles", "broker,controller");
        config.setProperty("node.id", Integer.toString(id));
        List<String> voters = new ArrayList<>();
        for (int voter = 1; voter <= BROKERS; voter++) {
            voters.add(voter + "@127.0.0.1:" + controllerPort(voter));
        }
        config.setProperty("controller.quorum.voters", String.join(",", voters));
        config.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + clientPort(id) + ",CONTROLLER://127.0.0.1:" + controllerPort(id));
        config.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort(id));
        config.setProperty("controller.listener.names", "CONTROLLER");
        config.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.setProperty("inter.broker.listener.name", "PLAINTEXT");
        config.setProperty("log.dirs", dir.resolve("data-" + id).toString());
        // A record acknowledged with acks=all is on at least 2 of 3 brokers, as a synkit op is on 2 of 3 replicas.
        config.setProperty("default.replication.factor", Integer.toString(BROKERS));
        config.setProperty("min.insync.replicas", "2");
        config.setProperty("offsets.topic.replication.factor", Integer.toString(BROKERS));
        config.setProperty("transaction.state.log.replication.factor", Integer.toString(BROKERS));
        config.setProperty("transaction.state.log.min.isr", "2");
        config.setProperty("group.initial.rebalance.delay.ms", "0");
        Path file = dir.resolve("broker-" + id + ".properties");
        try (var writer = Files.newBufferedWriter(file)) {
            config.store(writer, "ops bench: Kafka broker " + id);
        }
        return file;
    }

    private Process java(Path java, Path kafkaLib, List<String> arguments, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", kafkaLib.resolve("*").toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("KAFKA_") || key.startsWith("SYNKIT_"));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    int clientPort(int id) {
        return basePort + id - 1;
    }

    private int controllerPort(int id) {
        return basePort + BROKERS + id - 1;
    }

    String bootstrap() {
        List<String> servers = new ArrayList<>();
        for (int id = 1; id <= BROKERS; id++) {
            servers.add("127.0.0.1:" + clientPort(id));
        }
        return String.join(",", servers);
    }

    /** The broker processes by name, for CPU and disk accounting. */
    Map<String, ProcessHandle> processes() {
        Map<String, ProcessHandle> handles = new LinkedHashMap<>();
        processes.forEach((name, process) -> handles.put(name, process.toHandle()));
        return handles;
    }

    Admin admin() {
        Properties config = new Properties();
        config.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return Admin.create(config);
    }

    private void awaitRegistered() throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        try (Admin admin = admin()) {
            while (true) {
                for (Map.Entry<String, Process> broker : processes.entrySet()) {
                    if (!broker.getValue().isAlive()) {
                        throw new IOException(broker.getKey() + " exited with " + broker.getValue().exitValue() + " while starting: see "
                                + dir.resolve("broker-" + broker.getKey().substring("kafka-".length()) + ".log"));
                    }
                }
                try {
                    if (admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size() == BROKERS) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Not up yet: the brokers elect a controller and register one by one.
                }
                if (System.nanoTime() > deadlineNs) {
                    throw new IOException("the Kafka brokers did not all register within " + READY_TIMEOUT_MS + " ms: see " + dir + "/broker-*.log");
                }
                Thread.sleep(200); // polling a process we do not control; bounded by the deadline
            }
        }
    }

    /**
     * A topic of one partition (a SET is one replicated log with one primary), replicated on all 3
     * brokers, {@code min.insync.replicas=2}, plus {@code configs}; returns once its 3 replicas are in sync.
     */
    void createTopic(String name, Map<String, String> configs) throws IOException, InterruptedException {
        try (Admin admin = admin()) {
            Map<String, String> all = new LinkedHashMap<>(configs);
            all.put("min.insync.replicas", "2");
            admin.createTopics(List.of(new NewTopic(name, 1, (short) BROKERS).configs(all))).all().get(60, TimeUnit.SECONDS);
            long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
            while (System.nanoTime() < deadlineNs) {
                try {
                    TopicDescription topic = admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS).get(name);
                    TopicPartitionInfo partition = topic.partitions().get(0);
                    if (partition.leader() != null && partition.isr().size() == BROKERS) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Metadata not propagated yet.
                }
                Thread.sleep(100); // polling the brokers' metadata; bounded by the deadline
            }
            throw new IOException("topic " + name + " has no leader with 3 in-sync replicas after " + READY_TIMEOUT_MS + " ms");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
    }

    /** SIGTERM to every broker (a controlled shutdown), SIGKILL to those still running after the grace time. */
    @Override
    public void close() throws InterruptedException {
        started.forEach(Process::destroy);
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MS);
        for (Process process : started) {
            if (!process.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook runs anyway.
        }
    }
}

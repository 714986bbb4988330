package io.synkit.ops.bench;

import io.synkit.ops.cluster.Directories;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench}: the one benchmark command. In one invocation, on this machine: the disk's
 * physical references, one synkit SET at fixed open-loop rates and at saturation, the same load
 * against 3 Kafka brokers (default flushing and {@code flush.messages=1}), and synkit end to end
 * (1:1 and a 500-member group); then the table with ratios, JSON, an HTML page and PNG charts.
 * Every process it starts is stopped at the end, and killed if this JVM is interrupted (Ctrl-C),
 * which also deletes the run's scratch directory ({@link InterruptCleanup}).
 * The subcommands measure one part each.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "The one benchmark: synkit beside Kafka on this machine (subcommands: one part each).",
        subcommands = {StoreBenchCommand.class, ApplyBenchCommand.class, LinksBenchCommand.class, ConnectionsBenchCommand.class, ConnectionsWorkerCommand.class,
                GroupBenchCommand.class})
public final class BenchCommand implements Callable<Integer> {

    static final List<String> PARTS = List.of("probes", "set", "kafka", "e2e");
    /** Read by every node start ({@code LocalCluster}): the class path the nodes run from. */
    private static final String CLUSTER_CLASSPATH_PROPERTY = "synkit.cluster.classpath";

    @Option(names = "--quick", description = "Short phases, one fixed rate, a 1-SET cluster end to end (about two minutes; what CI runs)")
    boolean quick;

    @Option(names = "--out", description = "Where the report goes (default: bench-report-<UTC time> in the current directory)")
    Path out;

    @Option(names = "--dir", description = "Scratch directory on the disk to measure (default: a new one under java.io.tmpdir, deleted at the end)")
    Path dir;

    @Option(names = "--base-port", defaultValue = "7300", description = "First port of synkit's processes (default ${DEFAULT-VALUE})")
    int basePort;

    @Option(names = "--kafka-base-port", defaultValue = "19080", description = "First of the Kafka brokers' 6 ports (default ${DEFAULT-VALUE})")
    int kafkaBasePort;

    @Option(names = "--kafka-lib", description = "Kafka's jars (default: bench-kafka/target/kafka-lib of this build)")
    Path kafkaLib;

    @Option(names = "--kafka-java", description = "The java that runs the brokers (default: this JVM's)")
    Path kafkaJava;

    @Option(names = "--baseline-classpath", description = "Another build's ops-all.jar: its SET is measured too, right before this build's (A/B)")
    String baselineClasspath;

    @Option(names = "--parts", split = ",", defaultValue = "probes,set,kafka,e2e", description = "Parts to run (default ${DEFAULT-VALUE})")
    List<String> parts;

    @Override
    public Integer call() throws Exception {
        if (!PARTS.containsAll(parts)) {
            System.err.println("bench: --parts takes " + String.join(",", PARTS) + "; got " + String.join(",", parts));
            return 2;
        }
        BenchPlan plan = quick ? BenchPlan.quick() : BenchPlan.full();
        Path kafkaJars = kafkaLib != null ? kafkaLib : defaultKafkaLib();
        if (parts.contains("kafka") && (!Files.isDirectory(kafkaJars))) {
            System.err.println("bench: no Kafka jars in " + kafkaJars + ": build first (mvn -B -q -DskipTests package fetches them), or give --kafka-lib");
            return 1;
        }
        Map<Integer, String> ports = ports(plan);
        for (Map.Entry<Integer, String> port : ports.entrySet()) {
            if (!free(port.getKey())) {
                System.err.printf("bench: port %d (%s) is taken on 127.0.0.1: stop what holds it or pick another %s%n", port.getKey(), port.getValue(),
                        port.getValue().startsWith("Kafka") ? "--kafka-base-port" : "--base-port");
                return 1;
            }
        }
        // Kafka's client logs its whole configuration for each client, and every refused connection while the brokers start.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        Instant started = Instant.now();
        Path report = out != null ? out : Path.of("bench-report-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started));
        boolean scratchIsOurs = dir == null;
        Path scratch = scratchIsOurs ? Files.createTempDirectory("synkit-bench") : dir;
        Files.createDirectories(scratch);
        Files.createDirectories(report);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("command", "ops bench" + (quick ? " --quick" : "") + (parts.equals(PARTS) ? "" : " --parts " + String.join(",", parts))
                + (baselineClasspath == null ? "" : " --baseline-classpath " + baselineClasspath));
        run.put("mode", plan.mode());
        run.put("date", started.toString());
        run.put("cores", Runtime.getRuntime().availableProcessors());
        run.put("java", System.getProperty("java.version"));
        run.put("load_average_start", loadAverage());
        Map<String, Double> probes = new LinkedHashMap<>();
        List<Measurement> measurements = new ArrayList<>();
        InterruptCleanup interrupted = InterruptCleanup.register(scratchIsOurs ? scratch : null);
        try (ProgressLine progress = new ProgressLine(System.out, System.console() != null)) {
            if (parts.contains("probes")) {
                progress.step("disk probes: fdatasync of 4 KiB writes, RocksDB WriteBatch(100 x 200 B) + sync", 2 * plan.probeMs());
                probes.put("fdatasync of 4 KiB writes per s", DiskProbes.fdatasyncPerSecond(scratch.resolve("fsync.bin"), plan.probeMs()));
                probes.put("RocksDB WriteBatch(100 x 200 B) + sync, puts per s", DiskProbes.rocksBatchOpsPerSecond(scratch.resolve("rocks-ref"), plan.probeMs()));
                probes.forEach((name, value) -> progress.result(String.format(java.util.Locale.ROOT, "%s: %,.0f", name, value)));
            }
            if (parts.contains("set")) {
                if (baselineClasspath != null) {
                    System.setProperty(CLUSTER_CLASSPATH_PROPERTY, baselineClasspath);
                    try {
                        measurements.addAll(SetBench.run(SetBench.BASELINE, scratch.resolve("set-baseline"), basePort, plan.set(), progress));
                    } finally {
                        System.clearProperty(CLUSTER_CLASSPATH_PROPERTY);
                    }
                }
                measurements.addAll(SetBench.run(SetBench.SYSTEM, scratch.resolve("set"), basePort, plan.set(), progress));
            }
            if (parts.contains("kafka")) {
                progress.step("starting 3 Kafka brokers (KRaft, each its own JVM)", 0);
                try (KafkaBrokers brokers = KafkaBrokers.start(scratch.resolve("kafka"), kafkaJars, kafkaJava != null ? kafkaJava : thisJava(), kafkaBasePort)) {
                    measurements.addAll(KafkaBench.run(brokers, plan.set(), progress));
                }
            }
            if (parts.contains("e2e")) {
                measurements.addAll(EndToEndBench.run(scratch.resolve("e2e"), basePort, plan.endToEnd(), report.resolve("e2e-runs.log"), progress));
            }
            run.put("load_average_end", loadAverage());
            run.put("elapsed_s", progress.elapsedS());
            progress.step("writing the report", 0);
            BenchReport.Results results = new BenchReport.Results(run, probes, measurements);
            BenchReport.write(report, results);
            System.out.println();
            System.out.print(BenchReport.table(results));
            System.out.println();
            System.out.println("report: " + report.resolve(BenchReport.HTML_FILE).toAbsolutePath() + " (and " + BenchReport.JSON_FILE + ", "
                    + BenchReport.TABLE_FILE + ", latency-*.png beside it)");
        } finally {
            interrupted.unregister();
            if (scratchIsOurs) {
                Directories.deleteTree(scratch);
            }
        }
        return 0;
    }

    /** Every port the run will bind, with what binds it. */
    private Map<Integer, String> ports(BenchPlan plan) {
        Map<Integer, String> ports = new LinkedHashMap<>();
        if (parts.contains("set")) {
            for (int port = basePort; port < basePort + SetBench.PORT_COUNT; port++) {
                ports.put(port, "synkit SET");
            }
        }
        if (parts.contains("e2e")) {
            for (int port = basePort; port < basePort + EndToEndBench.portCount(plan.endToEnd().sets()); port++) {
                ports.putIfAbsent(port, "synkit end-to-end cluster");
            }
        }
        if (parts.contains("kafka")) {
            for (int port = kafkaBasePort; port < kafkaBasePort + KafkaBrokers.PORT_COUNT; port++) {
                ports.put(port, "Kafka broker");
            }
        }
        return ports;
    }

    static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/loadavg")).get(0).split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Path thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * {@code bench-kafka/target/kafka-lib} beside this build's {@code ops/target}, whether run from
     * the jar or from classes; relative to the current directory when this code lives elsewhere.
     */
    static Path defaultKafkaLib() {
        Path relative = Path.of("bench-kafka", "target", "kafka-lib");
        try {
            Path code = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path ops = code.getParent() == null ? null : code.getParent().getParent(); // of ops/target/classes or ops/target/ops-all.jar
            return ops == null || ops.getParent() == null ? relative : ops.getParent().resolve(relative);
        } catch (URISyntaxException | RuntimeException e) {
            return relative;
        }
    }
}

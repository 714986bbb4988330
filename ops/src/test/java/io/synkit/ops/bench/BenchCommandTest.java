package io.synkit.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synkit.ops.OpsMain;
import io.synkit.ops.cluster.CapturedCli;
import io.synkit.ops.cluster.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ops bench} as CI runs it: {@code --quick}, every part, no figure judged (a shared 2-core
 * machine gives any figure); what must hold is that every system was measured, the report's
 * files are written, nothing was lost end to end, and no process is left behind.
 */
class BenchCommandTest {

    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() {
        leftovers().forEach(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
    }

    @Test
    void quickRunMeasuresSynkitBesideKafkaWritesTheReportAndStopsEveryProcess() throws Exception {
        Path report = dir.resolve("report");
        int basePort = FreePorts.base(EndToEndBench.portCount(BenchPlan.quick().endToEnd().sets()));
        int kafkaBasePort = FreePorts.base(KafkaBrokers.PORT_COUNT);
        CapturedCli run = CapturedCli.run("bench", "--quick", "--out", report.toString(), "--dir", dir.resolve("scratch").toString(), "--base-port",
                Integer.toString(basePort), "--kafka-base-port", Integer.toString(kafkaBasePort));
        System.out.println(run.out());
        System.err.println(run.err());
        assertEquals(0, run.exitCode(), run.err());

        JsonNode json = new ObjectMapper().readTree(report.resolve(BenchReport.JSON_FILE).toFile());
        List<String> measured = new ArrayList<>();
        for (JsonNode measurement : json.get("measurements")) {
            String name = measurement.get("system").asText() + " " + measurement.get("phase").asText();
            measured.add(name);
            assertTrue(measurement.get("count").asLong() > 0, name + " counted nothing: " + measurement);
            assertTrue(measurement.get("cpu_us_per_unit").asDouble() > 0, name + " has no CPU cost: " + measurement);
        }
        assertEquals(List.of("synkit SET 10000/s", "synkit SET saturation", "Kafka default flushing 10000/s", "Kafka default flushing saturation",
                "Kafka flush.messages=1 10000/s", "Kafka flush.messages=1 saturation", "synkit 1:1 end to end 500/s", "synkit 500-member group 2/s"), measured);
        for (JsonNode measurement : json.get("measurements")) {
            if (measurement.get("system").asText().startsWith("synkit 1:1") || measurement.get("system").asText().startsWith("synkit 500")) {
                assertEquals(0, measurement.get("notes").get("lost").asLong(), measurement.toString());
                assertEquals(1, measurement.get("notes").get("converged").asLong(), measurement.toString());
            }
        }
        String html = Files.readString(report.resolve(BenchReport.HTML_FILE));
        assertTrue(html.contains("<svg") && html.contains("Kafka default flushing") && html.contains("synkit SET"), "the page plots both systems");
        assertTrue(Files.size(report.resolve("latency-commit-latency-10000-per-s.png")) > 0);
        assertTrue(run.out().contains("× Kafka default"), "the table with ratios is printed");
        assertEquals(List.of(), leftovers(), "processes left running");
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CapturedCli run = CapturedCli.run("bench", "--parts", "kafka", "--out", dir.resolve("report").toString(), "--dir", dir.resolve("scratch").toString(),
                    "--kafka-base-port", Integer.toString(port));
            assertEquals(1, run.exitCode());
            assertEquals("bench: port " + port + " (Kafka broker) is taken on 127.0.0.1: stop what holds it or pick another --kafka-base-port",
                    run.err().strip());
            assertTrue(!Files.exists(dir.resolve("scratch")), "nothing started, nothing laid out");
        }
    }

    /**
     * Ctrl-C while the SET runs: the bench JVM exits, no process it started runs on, and the
     * scratch directory it created under java.io.tmpdir is gone (a full run's holds gigabytes).
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void anInterruptedRunStopsEveryProcessAndDeletesItsScratch() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process bench = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), OpsMain.class.getName(), "bench", "--quick", "--parts", "set",
                "--out", dir.resolve("report").toString(), "--base-port", Integer.toString(FreePorts.base(SetBench.PORT_COUNT)))
                .redirectErrorStream(true).start();
        try {
            BufferedReader output = new BufferedReader(new InputStreamReader(bench.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = output.readLine()) != null && !line.contains("warm-up, closed loop")) {
                seen.append(line).append('\n');
            }
            assertNotNull(line, "the SET started and its warm-up began: " + seen);
            List<ProcessHandle> started = bench.toHandle().descendants().toList();
            assertFalse(started.isEmpty(), "the SET's nodes run");
            try (Stream<Path> scratch = Files.list(tmp)) {
                assertTrue(scratch.anyMatch(path -> path.getFileName().toString().startsWith("synkit-bench")), "the run's scratch exists");
            }

            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(bench.pid())).start().waitFor());

            assertTrue(bench.waitFor(InterruptCleanup.CLEANUP_MS_MAX + 30_000, TimeUnit.MILLISECONDS), "the interrupted run exits");
            for (ProcessHandle process : started) {
                assertFalse(process.isAlive(), "pid " + process.pid() + " " + process.info().commandLine().orElse("") + " stopped");
            }
            assertEquals(List.of(), leftovers(), "processes left running");
            try (Stream<Path> scratch = Files.list(tmp)) {
                assertEquals(List.of(), scratch.filter(path -> path.getFileName().toString().startsWith("synkit-bench")).toList(), "scratch left behind");
            }
        } finally {
            bench.destroyForcibly().waitFor();
        }
    }

    /** Processes whose command line points into this test's directory. */
    private List<ProcessHandle> leftovers() {
        String marker = dir.toString();
        return ProcessHandle.allProcesses().filter(process -> process.pid() != ProcessHandle.current().pid()).filter(process -> {
            try {
                return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).contains(marker);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).toList();
    }
}

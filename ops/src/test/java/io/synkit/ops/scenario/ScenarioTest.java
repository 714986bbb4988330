package io.synkit.ops.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped scenarios parse, bad ones are refused with the reason, and smoke runs green with its reports. */
class ScenarioTest {

    private static final Path SCENARIOS = Path.of(System.getProperty("user.dir")).resolve("../scenarios").normalize();

    @TempDir
    Path out;

    @Test
    void smokeScenarioPassesAndWritesItsReports() throws Exception {
        Scenario smoke = Scenario.load(SCENARIOS.resolve("smoke.yaml"));
        System.out.println("seed=" + smoke.seed());

        RunReport report = new ScenarioRunner(smoke, smoke.seed(), out, System.out).run();

        assertTrue(report.passed(), report.resultLine() + " " + report.check().evidence());
        assertEquals(report.check().sent(), report.check().acked(), report.resultLine());
        for (String file : new String[] {"report.json", "report.html", "latency.png", "throughput.png"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file + " written");
        }
        assertTrue(Files.readString(out.resolve("report.html")).contains(report.resultLine()), "the HTML report shows the RESULT line");
        List<String> history = Files.readAllLines(out.resolve("history.jsonl"));
        long okSends = history.stream().filter(line -> line.startsWith("{\"type\":\"send\"") && line.contains("\"outcome\":\"ok\"")).count();
        long syncs = history.stream().filter(line -> line.startsWith("{\"type\":\"sync\"")).count();
        assertEquals(report.check().acked(), okSends, "one ok send attempt in the history per acked message");
        assertEquals(report.syncs().invoked(), syncs, "every sync request is in the history");
    }

    @Test
    void everyShippedScenarioParses() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Scenario scenario = Scenario.load(file);
                assertEquals(file.getFileName().toString(), scenario.name() + ".yaml", "file named after its scenario");
            }
        }
    }

    @Test
    void badScenarioFilesAreRefusedNamingTheProblem() throws IOException {
        Path typo = out.resolve("typo.yaml");
        Files.writeString(typo, Files.readString(SCENARIOS.resolve("smoke.yaml")).replace("rate_per_s", "rate_per_sec"));
        Exception unknownKey = assertThrows(Exception.class, () -> Scenario.load(typo));
        assertTrue(unknownKey.getMessage().contains("rate_per_sec"), unknownKey.getMessage());

        Path faultsInOneJvm = out.resolve("faults.yaml");
        Files.writeString(faultsInOneJvm, Files.readString(SCENARIOS.resolve("smoke.yaml"))
                + "faults:\n  - {at_s: 1, action: kill, node: \"primary:s1\", restore_after_s: 1}\n");
        Exception embeddedFaults = assertThrows(IllegalArgumentException.class, () -> Scenario.load(faultsInOneJvm));
        assertTrue(embeddedFaults.getMessage().contains("cluster.mode: processes"), embeddedFaults.getMessage());
    }
}

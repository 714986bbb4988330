package io.synkit.ops.scenario;

import io.synkit.sim.run.RunReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ops scenario FILE}: runs a scenario file and writes its reports. */
@Command(name = "scenario", mixinStandardHelpOptions = true, description = "Run a load-and-chaos scenario (scenarios/*.yaml) and write reports.")
public final class ScenarioCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Scenario file, e.g. scenarios/smoke.yaml")
    Path file;

    @Option(names = "--seed", description = "Override the scenario's seed")
    Long seed;

    @Option(names = "--out", description = "Report directory (default target/scenarios/<name>-<seed>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Scenario scenario;
        try {
            scenario = Scenario.load(file);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        long runSeed = seed != null ? seed : scenario.seed();
        Path dir = out != null ? out : Path.of("target", "scenarios", scenario.name() + "-" + runSeed);
        RunReport report = new ScenarioRunner(scenario, runSeed, dir, System.out).run();
        return report.passed() ? 0 : 1;
    }
}

package io.synkit.ops.bench;

import java.util.List;

/**
 * How long and how hard each part of {@code ops bench} runs: the full run that docs/benchmarks.md
 * records, or {@code --quick} (about two minutes on 2 cores, most of it starting processes: what
 * CI runs to prove the command works, with no figure judged).
 */
record BenchPlan(String mode, long probeMs, SetBench.Settings set, EndToEndBench.Settings endToEnd) {

    static BenchPlan full() {
        return new BenchPlan("full", 3_000, new SetBench.Settings(10_000, 1_000, List.of(10_000, 20_000), 10_000, 4_000),
                new EndToEndBench.Settings(3, 200, 10_000, List.of(1_000, 5_000, 10_000), 10_000, 20_000, 20, 180_000));
    }

    static BenchPlan quick() {
        return new BenchPlan("quick", 500, new SetBench.Settings(3_000, 1_000, List.of(10_000), 3_000, 4_000),
                new EndToEndBench.Settings(1, 50, 2_000, List.of(500), 3_000, 0, 2, 60_000));
    }
}

package io.synkit.ops.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * CPU time used by each process of a benchmark (the servers and the client itself) between two
 * points, per operation done in between: where the cores' budget goes. Reads the kernel's
 * accounting (user + system time) through {@link ProcessHandle}.
 */
final class CpuAccount {

    private final Map<String, ProcessHandle> processes;
    private final Map<String, Long> startNs = new LinkedHashMap<>();

    CpuAccount(Map<String, ProcessHandle> processes) {
        this.processes = new LinkedHashMap<>(processes);
        this.processes.put("client", ProcessHandle.current());
    }

    void start() {
        processes.forEach((name, process) -> startNs.put(name, cpuNs(process)));
    }

    /** "name=12.3" µs of CPU per op for each process since {@link #start}, then the total. */
    String perOp(long ops) {
        StringJoiner out = new StringJoiner(" ");
        double totalUs = 0;
        for (Map.Entry<String, ProcessHandle> process : processes.entrySet()) {
            double us = (cpuNs(process.getValue()) - startNs.getOrDefault(process.getKey(), 0L)) / 1000.0 / Math.max(1, ops);
            totalUs += us;
            out.add(String.format(Locale.ROOT, "%s=%.1f", process.getKey(), us));
        }
        return String.format(Locale.ROOT, "cpu_us_per_op %s total=%.1f (at this cost %d cores allow %.0f ops/s)", out, totalUs,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors() * 1e6 / Math.max(0.001, totalUs));
    }

    private static long cpuNs(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}

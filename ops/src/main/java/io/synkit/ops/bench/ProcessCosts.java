package io.synkit.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What each process of a benchmark (the servers and this process, the client) spent between two
 * points, per operation done in between: CPU time (user + system, the kernel's accounting through
 * {@link ProcessHandle}) and bytes the process caused to be written to disk ({@code write_bytes}
 * of {@code /proc/<pid>/io}: page-cache writes bound for the block device, so a file rewritten
 * in place counts each time and a socket write not at all).
 */
final class ProcessCosts {

    /** One process's cost per operation. */
    record Cost(double cpuUs, double diskBytes) {
    }

    static final String CLIENT = "client";

    private final Map<String, ProcessHandle> processes;
    private final Map<String, long[]> start = new LinkedHashMap<>();

    /** @param processes by name, in report order; this process joins them as {@value #CLIENT} */
    ProcessCosts(Map<String, ProcessHandle> processes) {
        this.processes = new LinkedHashMap<>(processes);
        this.processes.put(CLIENT, ProcessHandle.current());
    }

    void start() {
        processes.forEach((name, process) -> start.put(name, new long[] {cpuNs(process), writtenBytes(process)}));
    }

    /** Per process since {@link #start}, each divided by {@code ops}; in report order, no total. */
    Map<String, Cost> perOp(long ops) {
        Map<String, Cost> costs = new LinkedHashMap<>();
        double divisor = Math.max(1, ops);
        processes.forEach((name, process) -> {
            long[] from = start.getOrDefault(name, new long[2]);
            costs.put(name, new Cost((cpuNs(process) - from[0]) / 1000.0 / divisor, (writtenBytes(process) - from[1]) / divisor));
        });
        return costs;
    }

    static double totalCpuUs(Map<String, Cost> costs) {
        return costs.values().stream().mapToDouble(Cost::cpuUs).sum();
    }

    static double totalDiskBytes(Map<String, Cost> costs) {
        return costs.values().stream().mapToDouble(Cost::diskBytes).sum();
    }

    /** {@code cpu_us_per_op a=1.0 b=2.0 total=3.0 (...) disk_bytes_per_op a=... total=...}. */
    static String describe(Map<String, Cost> costs, String unit) {
        StringJoiner cpu = new StringJoiner(" ");
        StringJoiner disk = new StringJoiner(" ");
        costs.forEach((name, cost) -> {
            cpu.add(String.format(Locale.ROOT, "%s=%.1f", name, cost.cpuUs()));
            disk.add(String.format(Locale.ROOT, "%s=%.0f", name, cost.diskBytes()));
        });
        int cores = Runtime.getRuntime().availableProcessors();
        double totalUs = totalCpuUs(costs);
        return String.format(Locale.ROOT, "cpu_us_per_%s %s total=%.1f (at this cost %d cores allow %.0f/s)%n    disk_bytes_per_%s %s total=%.0f", unit,
                cpu, totalUs, cores, cores * 1e6 / Math.max(0.001, totalUs), unit, disk, totalDiskBytes(costs));
    }

    private static long cpuNs(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** 0 where the kernel keeps no I/O accounting or the process is gone. */
    private static long writtenBytes(ProcessHandle process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}

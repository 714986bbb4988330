package io.synkit.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench store}: the SET part of {@code ops bench} alone ({@link SetBench}), with the
 * disk's references: raw fdatasync/s and RocksDB WriteBatch(100)+sync ops/s on the same disk.
 */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Benchmark one replicated SET of 3 processes.")
public final class StoreBenchCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "Scratch directory on the disk to measure")
    Path dir;

    @Option(names = "--seconds", defaultValue = "10", description = "Seconds per phase (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--rates", defaultValue = "10000,20000", split = ",", description = "Fixed rates in ops/s (default ${DEFAULT-VALUE})")
    List<Integer> rates;

    @Option(names = "--inflight", defaultValue = "4000", description = "Ops in flight at saturation (default ${DEFAULT-VALUE})")
    int inflight;

    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "Closed-loop load before measuring, so every JVM has compiled its hot paths (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--base-port", defaultValue = "7300")
    int basePort;

    private static final int WARMUP_INFLIGHT = 1000;
    private static final long PROBE_MS = 3000;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "bench store: dir=%s seconds=%d rates=%s inflight=%d cores=%d%n", dir, seconds, rates, inflight,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "reference fdatasync (4 KiB writes): %.0f/s%n", DiskProbes.fdatasyncPerSecond(dir.resolve("fsync.bin"), PROBE_MS));
        System.out.printf(Locale.ROOT, "reference RocksDB WriteBatch(100 x 200 B) + sync: %.0f ops/s%n",
                DiskProbes.rocksBatchOpsPerSecond(dir.resolve("rocks-ref"), PROBE_MS));
        SetBench.Settings settings = new SetBench.Settings(TimeUnit.SECONDS.toMillis(warmupSeconds), WARMUP_INFLIGHT, rates,
                TimeUnit.SECONDS.toMillis(seconds), inflight);
        try (ProgressLine progress = new ProgressLine(System.out, System.console() != null)) {
            SetBench.run(SetBench.SYSTEM, dir.resolve("cluster"), basePort, settings, progress);
        } catch (IOException e) {
            System.err.println("bench store failed: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}

package io.synkit.ops.bench;

import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcClient;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench store}: one SET of 3 store processes on this machine. Reports quorum-committed
 * 200-byte ops/s at saturation, commit latency at fixed open-loop rates (timed from each op's
 * intended send time, so stalls are not hidden), and, on the same disk in the same run, raw
 * fdatasync/s and RocksDB WriteBatch(100)+sync ops/s as references.
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
    private static final long PACING_NS = TimeUnit.MICROSECONDS.toNanos(500);
    /** Direct conversations the ops spread over. */
    private static final int CONVERSATIONS = 5000;
    private final AtomicLong opIds = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> failureKinds = new ConcurrentHashMap<>();

    private void countFailure(Throwable failure) {
        String kind = io.synkit.protocol.rpc.RpcException.of(failure).getMessage().replaceAll("[0-9]+", "N");
        failureKinds.computeIfAbsent(kind.length() > 90 ? kind.substring(0, 90) : kind, k -> new AtomicLong()).incrementAndGet();
    }

    private void reportFailures(String phase) {
        failureKinds.forEach((kind, count) -> System.out.printf(Locale.ROOT, "  %s failure x%d: %s%n", phase, count.get(), kind));
        failureKinds.clear();
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "bench store: dir=%s seconds=%d rates=%s inflight=%d cores=%d%n", dir, seconds, rates, inflight,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "reference fdatasync (4 KiB writes): %.0f/s%n", fdatasyncPerSecond(dir.resolve("fsync.bin")));
        System.out.printf(Locale.ROOT, "reference RocksDB WriteBatch(100 x 200 B) + sync: %.0f ops/s%n", rocksBatchOpsPerSecond(dir.resolve("rocks-ref")));
        LocalCluster cluster;
        try {
            cluster = LocalCluster.upSingleSet(dir.resolve("cluster"), basePort, List.of());
        } catch (IOException e) {
            System.err.println("bench store failed: " + e.getMessage());
            return 1;
        }
        EventLoopGroup group = NettyThreads.group("bench", 1);
        try (ClusterStatus status = new ClusterStatus(); RpcClientPool pool = new RpcClientPool(group, FrameLimits.internal(), 1_000_000)) {
            status.awaitPrimaries(cluster, 60_000);
            String primary = cluster.storeRpc(status.nodeInRole(cluster, "s1", "PRIMARY"));
            RpcClient client = pool.get(primary);
            Map<String, ProcessHandle> nodes = new LinkedHashMap<>();
            for (String node : cluster.storeNodes()) {
                nodes.put(node + (cluster.storeRpc(node).equals(primary) ? "(primary)" : ""), cluster.process(node).orElseThrow());
            }
            CpuAccount cpu = new CpuAccount(nodes);
            // Warm-up compiles the hot paths of every JVM. The fixed rates come before saturation,
            // so each is measured in the steady state of that rate, not in the wake of a phase
            // that kept thousands of ops in flight.
            System.out.printf(Locale.ROOT, "warm-up: %.0f ops/s for %d s (closed loop, %d in flight; not counted)%n",
                    run(client, WARMUP_INFLIGHT, warmupSeconds, "warm-up"), warmupSeconds, WARMUP_INFLIGHT);
            for (int rate : rates) {
                cpu.start();
                Histogram latencyUs = fixedRate(client, rate, seconds);
                System.out.printf(Locale.ROOT, "fixed rate %d ops/s: p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms (n=%d)%n", rate,
                        latencyUs.getValueAtPercentile(50) / 1000.0, latencyUs.getValueAtPercentile(99) / 1000.0,
                        latencyUs.getValueAtPercentile(99.9) / 1000.0, latencyUs.getMaxValue() / 1000.0, latencyUs.getTotalCount());
                System.out.printf(Locale.ROOT, "  %s%n", cpu.perOp(latencyUs.getTotalCount()));
            }
            Histogram saturation = new Histogram(3_600_000_000L, 3);
            cpu.start();
            double opsPerSecond = run(client, inflight, seconds, "saturation", saturation);
            System.out.printf(Locale.ROOT, "saturation: %.0f quorum-committed ops/s (inflight %d) p50=%.2fms p99=%.2fms%n", opsPerSecond, inflight,
                    saturation.getValueAtPercentile(50) / 1000.0, saturation.getValueAtPercentile(99) / 1000.0);
            System.out.printf(Locale.ROOT, "  %s%n", cpu.perOp(saturation.getTotalCount()));
        } finally {
            cluster.down();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        return 0;
    }

    private StoreRequest nextOp() {
        return BenchOp.appendConv(opIds.incrementAndGet(), CONVERSATIONS);
    }

    private double run(RpcClient client, int inflightMax, int runSeconds, String phase) throws InterruptedException {
        return run(client, inflightMax, runSeconds, phase, new Histogram(3_600_000_000L, 3));
    }

    /** Closed loop with {@code inflightMax} ops in flight: the throughput ceiling. */
    private double run(RpcClient client, int inflightMax, int runSeconds, String phase, Histogram latencyUs) throws InterruptedException {
        Semaphore slots = new Semaphore(inflightMax);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Histogram recorder = new ConcurrentHistogram(3_600_000_000L, 3);
        long startNs = System.nanoTime();
        long endNs = startNs + TimeUnit.SECONDS.toNanos(runSeconds);
        while (System.nanoTime() < endNs) {
            if (!slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                continue;
            }
            long sentNs = System.nanoTime();
            client.call(nextOp(), 10_000).whenComplete((ok, failure) -> {
                (failure == null ? done : failed).incrementAndGet();
                if (failure != null) {
                    countFailure(failure);
                }
                recorder.recordValue(Math.max(1, (System.nanoTime() - sentNs) / 1000));
                slots.release();
            });
        }
        slots.acquire(inflightMax);
        double elapsedS = (System.nanoTime() - startNs) / 1e9;
        latencyUs.add(recorder);
        if (failed.get() > 0) {
            System.out.printf(Locale.ROOT, "%s: %d ops failed%n", phase, failed.get());
            reportFailures(phase);
        }
        return done.get() / elapsedS;
    }

    /** Open loop at a fixed rate; latency from each op's intended send time (coordinated omission corrected). */
    private Histogram fixedRate(RpcClient client, int rate, int runSeconds) throws InterruptedException {
        Histogram latencyUs = new ConcurrentHistogram(3_600_000_000L, 3);
        AtomicLong outstanding = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long startNs = System.nanoTime();
        long total = (long) rate * runSeconds;
        double intervalNs = 1e9 / rate;
        for (long i = 0; i < total; i++) {
            long intendedNs = startNs + (long) (i * intervalNs);
            long waitNs = intendedNs - System.nanoTime();
            if (waitNs > 0) {
                // Sleeps of at least PACING_NS: the ops that fall due meanwhile leave together on
                // waking (a wake-up per op would cost the shared cores more than the op). Their
                // latency still counts from their intended times, the wait included.
                LockSupport.parkNanos(Math.max(waitNs, PACING_NS));
            }
            outstanding.incrementAndGet();
            client.call(nextOp(), 10_000).whenComplete((ok, failure) -> {
                if (failure != null) {
                    failed.incrementAndGet();
                    countFailure(failure);
                }
                latencyUs.recordValue(Math.max(1, (System.nanoTime() - intendedNs) / 1000));
                outstanding.decrementAndGet();
            });
        }
        while (outstanding.get() > 0) {
            Thread.sleep(10); // waiting for the last responses of a bounded phase
        }
        if (failed.get() > 0) {
            System.out.printf(Locale.ROOT, "fixed rate %d: %d ops failed%n", rate, failed.get());
            reportFailures("fixed rate " + rate);
        }
        return latencyUs;
    }

    static double fdatasyncPerSecond(Path file) throws Exception {
        ByteBuffer block = ByteBuffer.allocateDirect(4096);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long count = 0;
            long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(3)) {
                block.clear();
                channel.write(block);
                channel.force(false);
                count++;
            }
            return count / ((System.nanoTime() - startNs) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static double rocksBatchOpsPerSecond(Path path) throws Exception {
        RocksDB.loadLibrary();
        byte[] value = new byte[200];
        try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, path.toString());
             WriteOptions sync = new WriteOptions().setSync(true)) {
            long ops = 0;
            long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(3)) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (int i = 0; i < 100; i++) {
                        batch.put(ByteBuffer.allocate(8).putLong(ops++).array(), value);
                    }
                    db.write(sync, batch);
                }
            }
            return ops / ((System.nanoTime() - startNs) / 1e9);
        }
    }
}

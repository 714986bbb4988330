package io.synkit.ops.bench;

import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.rpc.RpcClient;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SET of 3 store processes and nothing else on the machine ({@link LocalCluster#upSingleSet}),
 * sent {@code AppendConv} ops with 200-byte bodies over the internal RPC by this process: each
 * acknowledged op is fsynced on 2 of 3 replicas and applied. A closed-loop warm-up (every JVM
 * compiles its hot paths), then each fixed rate (open loop), then saturation; the fixed rates
 * come first so each is measured in the steady state of that rate, not in the wake of a phase
 * that kept thousands of ops in flight.
 */
final class SetBench {

    /**
     * @param inflight ops in flight at saturation
     * @param warmupInflight ops in flight during the warm-up
     */
    record Settings(long warmupMs, int warmupInflight, List<Integer> rates, long phaseMs, int inflight) {
    }

    static final String SYSTEM = "synkit SET";
    static final String BASELINE = "synkit SET, baseline build";
    /** Ports from the base port: an RPC and an admin port per replica. */
    static final int PORT_COUNT = 6;
    /** Direct conversations the ops spread over. */
    private static final int CONVERSATIONS = 5000;
    private static final long PRIMARY_TIMEOUT_MS = 60_000;

    private SetBench() {
    }

    /**
     * Starts the SET in {@code dir}, measures, and takes it down whatever happens.
     *
     * @param system the name its figures go by: {@link #SYSTEM}, or {@link #BASELINE} for another build
     */
    static List<Measurement> run(String system, Path dir, int basePort, Settings settings, ProgressLine progress) throws IOException, InterruptedException {
        progress.step("starting one SET of 3 store processes (" + system + ")", 0);
        LocalCluster cluster = LocalCluster.upSingleSet(dir, basePort, List.of());
        EventLoopGroup group = NettyThreads.group("bench", 1);
        try (ClusterStatus status = new ClusterStatus(); RpcClientPool pool = new RpcClientPool(group, FrameLimits.internal(), 1_000_000)) {
            status.awaitPrimaries(cluster, PRIMARY_TIMEOUT_MS);
            String primary = cluster.storeRpc(status.nodeInRole(cluster, "s1", "PRIMARY"));
            RpcClient client = pool.get(primary);
            Map<String, ProcessHandle> nodes = new LinkedHashMap<>();
            for (String node : cluster.storeNodes()) {
                nodes.put(node + (cluster.storeRpc(node).equals(primary) ? " (primary)" : ""), cluster.process(node).orElseThrow());
            }
            AtomicLong opIds = new AtomicLong();
            LoadGenerator load = new LoadGenerator(() -> client.call(BenchOp.appendConv(opIds.incrementAndGet(), CONVERSATIONS), 10_000), progress);
            return measure(system, "op", load, new ProcessCosts(nodes), settings, progress);
        } finally {
            cluster.down();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Warm-up, fixed rates, saturation: the phases every system of the comparison goes through alike. */
    static List<Measurement> measure(String system, String unit, LoadGenerator load, ProcessCosts costs, Settings settings, ProgressLine progress)
            throws InterruptedException {
        progress.step(system + ": warm-up, closed loop, " + settings.warmupInflight() + " in flight (not counted)", settings.warmupMs());
        LoadGenerator.Outcome warmup = load.closedLoop(settings.warmupInflight(), settings.warmupMs());
        progress.result(String.format(java.util.Locale.ROOT, "warm-up: %.0f %ss/s", warmup.perSecond(), unit));
        List<Measurement> results = new ArrayList<>();
        for (int rate : settings.rates()) {
            progress.step(system + ": fixed " + rate + " " + unit + "s/s, open loop", settings.phaseMs());
            costs.start();
            results.add(measurement(system, rate, unit, load.fixedRate(rate, settings.phaseMs()), costs, progress));
        }
        progress.step(system + ": saturation, closed loop, " + settings.inflight() + " in flight", settings.phaseMs());
        costs.start();
        results.add(measurement(system, Measurement.SATURATION, unit, load.closedLoop(settings.inflight(), settings.phaseMs()), costs, progress));
        return results;
    }

    private static Measurement measurement(String system, int rate, String unit, LoadGenerator.Outcome outcome, ProcessCosts costs,
                                           ProgressLine progress) {
        Measurement result = new Measurement(system, rate, unit, outcome.perSecond(), outcome.done(), outcome.failed(), outcome.latencyUs(),
                costs.perOp(outcome.done()), outcome.failureKinds());
        progress.result(String.format(java.util.Locale.ROOT, "%.0f %ss/s %s", result.perSecond(), unit, LoadGenerator.describe(outcome.latencyUs())));
        progress.result(ProcessCosts.describe(result.costs(), unit));
        outcome.failureKinds().forEach((kind, count) -> progress.result("failed x" + count + ": " + kind));
        return result;
    }
}

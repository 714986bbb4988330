package io.synkit.ops.bench;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunObserver;
import io.synkit.sim.run.RunReport;
import io.synkit.sim.run.UserGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole path on this machine: simulated phones (this process) → access → logic → store SETs
 * → notify → sync, through a local cluster of real processes (the meta SET, {@code sets} SETs of
 * 3, a logic and an access node). 1:1 messages at fixed open-loop rates and, in a full run, at an
 * offered rate above what the cluster takes (saturation: what it acknowledged per second); then
 * one group of {@link #GROUP_MEMBERS} members, every member online, one member sending. Latency is
 * send (intended time) → delivered on the recipient's device, as the demo's RESULT line gives it;
 * every run is also checked for lost, duplicated and reordered messages.
 */
final class EndToEndBench {

    /**
     * @param rates 1:1 messages per second, each for {@code phaseMs}
     * @param saturationRate offered 1:1 messages per second for the saturation phase; 0 = no such phase
     * @param groupRate group messages per second (each delivered to every member)
     */
    record Settings(int sets, int users, long warmupMs, List<Integer> rates, long phaseMs, int saturationRate, int groupRate, long convergeTimeoutMs) {
    }

    static final String ONE_TO_ONE = "synkit 1:1 end to end";
    static final String GROUP = "synkit 500-member group";
    static final int GROUP_MEMBERS = 500;
    /** Group users are numbered from here, apart from the 1:1 users. */
    private static final long GROUP_FIRST_USER = 100_001;
    private static final long TOKEN_LIFETIME_MS = 24 * 3600_000L;
    private static final long PRIMARY_TIMEOUT_MS = 60_000;

    private EndToEndBench() {
    }

    /** Ports of the local cluster from its base port. */
    static int portCount(int sets) {
        return 6 * (sets + 1) + 5;
    }

    static List<Measurement> run(Path dir, int basePort, Settings settings, Path logFile, ProgressLine progress) throws IOException, InterruptedException {
        progress.step("starting a cluster: the meta SET, " + settings.sets() + " SETs of 3, logic, access", 0);
        LocalCluster cluster = LocalCluster.up(dir, settings.sets(), basePort, List.of());
        try (PrintStream log = new PrintStream(Files.newOutputStream(logFile), true, java.nio.charset.StandardCharsets.UTF_8)) {
            try (ClusterStatus status = new ClusterStatus()) {
                status.awaitPrimaries(cluster, PRIMARY_TIMEOUT_MS);
            }
            InetSocketAddress unresolved = RpcClientPool.parseAddress(cluster.accessClients());
            List<InetSocketAddress> access = List.of(new InetSocketAddress(unresolved.getHostString(), unresolved.getPort()));
            Map<String, ProcessHandle> nodes = new LinkedHashMap<>();
            for (String node : cluster.nodes()) {
                nodes.put(node, cluster.process(node).orElseThrow(() -> new IOException("node " + node + " is not running")));
            }
            ProcessCosts costs = new ProcessCosts(nodes);
            List<UserGroup> pairs = List.of(new UserGroup("1:1", settings.users(), 1, 1.0, access));
            long seed = 1;
            progress.step(ONE_TO_ONE + ": warm-up at " + settings.rates().get(0) + "/s (not counted)", settings.warmupMs());
            oneRun(new LoadSettings(pairs, settings.rates().get(0), settings.warmupMs(), settings.convergeTimeoutMs(), seed++), 1, log, progress, costs);
            List<Measurement> results = new ArrayList<>();
            for (int rate : settings.rates()) {
                progress.step(ONE_TO_ONE + ": " + rate + " messages/s", settings.phaseMs());
                results.add(measurement(ONE_TO_ONE, rate, "message", oneRun(new LoadSettings(pairs, rate, settings.phaseMs(), settings.convergeTimeoutMs(),
                        seed++), 1, log, progress, costs), progress));
            }
            if (settings.saturationRate() > 0) {
                progress.step(ONE_TO_ONE + ": saturation, offered " + settings.saturationRate() + " messages/s", settings.phaseMs());
                results.add(measurement(ONE_TO_ONE, Measurement.SATURATION, "message", oneRun(new LoadSettings(pairs, settings.saturationRate(),
                        settings.phaseMs(), settings.convergeTimeoutMs(), seed++), 1, log, progress, costs), progress));
            }
            List<UserGroup> group = List.of(new UserGroup("sender", 1, 1, 1.0, access, GROUP_MEMBERS, 1.0),
                    new UserGroup("members", GROUP_MEMBERS - 1, 1, 0.0, access));
            progress.step(GROUP + ": " + settings.groupRate() + " messages/s, every member online", settings.phaseMs());
            results.add(measurement(GROUP, settings.groupRate(), "delivery", oneRun(new LoadSettings(group, settings.groupRate(), settings.phaseMs(),
                    settings.convergeTimeoutMs(), seed), GROUP_FIRST_USER, log, progress, costs), progress));
            return results;
        } finally {
            cluster.down();
        }
    }

    /** A run's report with the window it was measured in and each process's costs over that window. */
    private record Outcome(RunReport report, double windowS, Map<String, ProcessCosts.Cost> costsTotal) {
    }

    private static Outcome oneRun(LoadSettings settings, long firstUser, PrintStream log, ProgressLine progress, ProcessCosts costs)
            throws InterruptedException {
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        AtomicLong sendStartNs = new AtomicLong();
        AtomicLong lastAcked = new AtomicLong();
        LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, TOKEN_LIFETIME_MS), log)
                .startingAtUser(firstUser)
                .observedBy(new RunObserver() {
                    @Override
                    public void sample(long elapsedMs, long sent, long acked, long delivered) {
                        progress.accept(acked - lastAcked.getAndSet(acked));
                    }

                    @Override
                    public void fault(long elapsedMs, String label) {
                    }
                })
                // Offset 0 is when sending starts: the costs leave out connecting and logging in.
                .at(0, () -> {
                    costs.start();
                    sendStartNs.set(System.nanoTime());
                });
        RunReport report = run.run();
        double windowS = (System.nanoTime() - sendStartNs.get()) / 1e9;
        return new Outcome(report, windowS, costs.perOp(1));
    }

    private static Measurement measurement(String system, int rate, String unit, Outcome outcome, ProgressLine progress) {
        RunReport report = outcome.report();
        long count = unit.equals("delivery") ? report.check().delivered() : report.check().acked();
        Map<String, ProcessCosts.Cost> perUnit = new LinkedHashMap<>();
        outcome.costsTotal().forEach((name, cost) -> perUnit.put(name,
                new ProcessCosts.Cost(cost.cpuUs() / Math.max(1, count), cost.diskBytes() / Math.max(1, count))));
        Map<String, Long> notes = new LinkedHashMap<>();
        notes.put("sent", report.check().sent());
        notes.put("acked", report.check().acked());
        notes.put("delivered", report.check().delivered());
        notes.put("lost", report.check().lost());
        notes.put("duplicated", report.check().duplicated());
        notes.put("reordered", report.check().reordered());
        notes.put("converged", report.converged() ? 1L : 0L);
        Measurement result = new Measurement(system, rate, unit, count / outcome.windowS(), count, report.check().failed(), report.deliveryLatencyUs(),
                perUnit, notes);
        progress.result(String.format(Locale.ROOT, "%.0f %s/s (sent=%d acked=%d delivered=%d lost=%d duplicated=%d reordered=%d converged=%s) "
                        + "send->delivered %s", result.perSecond(), result.units(), report.check().sent(), report.check().acked(), report.check().delivered(),
                report.check().lost(), report.check().duplicated(), report.check().reordered(), report.converged(),
                LoadGenerator.describe(report.deliveryLatencyUs())));
        progress.result(ProcessCosts.describe(perUnit, unit));
        return result;
    }
}

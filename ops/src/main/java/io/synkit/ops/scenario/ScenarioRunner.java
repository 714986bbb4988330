package io.synkit.ops.scenario;

import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.Directories;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.PeerLinks;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.chaos.ChaosProxy;
import io.synkit.sim.chaos.LinkProfile;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.OperationHistory;
import io.synkit.sim.report.ReportWriter;
import io.synkit.sim.report.RunTimeline;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunObserver;
import io.synkit.sim.run.RunReport;
import io.synkit.sim.run.UserGroup;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link Scenario}: starts its cluster, puts a chaos proxy with the group's link profile
 * in front of the access node for each group that asks for one, drives the devices with the
 * scenario's rate and fault schedule, checks the outcome, and writes JSON, HTML and PNG reports.
 */
public final class ScenarioRunner {

    private final Scenario scenario;
    private final long seed;
    private final Path outDir;
    private final PrintStream out;

    public ScenarioRunner(Scenario scenario, long seed, Path outDir, PrintStream out) {
        this.scenario = scenario;
        this.seed = seed;
        this.outDir = outDir;
        this.out = out;
    }

    /**
     * The scenario's devices against {@code access}: its groups (each behind a chaos proxy with
     * its link profile, unless clean), rate, duration and convergence bound. Used by {@link #run()}
     * and by tests that bring a cluster of their own (containers). The proxies started are added
     * to {@code proxies}; the caller closes them after the run.
     */
    public LoadRun load(InetSocketAddress access, EventLoopGroup proxyLoops, List<ChaosProxy> proxies, RunObserver observer) throws InterruptedException {
        List<UserGroup> groups = new ArrayList<>();
        for (Scenario.GroupSpec group : scenario.groups()) {
            InetSocketAddress target = access;
            if (!group.link().equals("clean")) {
                ChaosProxy proxy = new ChaosProxy(proxyLoops, access, LinkProfile.named(group.link()), seed ^ group.name().hashCode());
                proxies.add(proxy);
                target = proxy.start();
            }
            groups.add(new UserGroup(group.name() + "-" + group.link(), group.users(), group.devicesPerUser(), group.sendWeight(), List.of(target),
                    group.chatGroupSize(), group.chatGroupSendShare(), group.chatGroupChurnShare(), group.readMarkShare(), group.growTo()));
        }
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        LoadSettings settings = new LoadSettings(groups, scenario.ratePerS(), scenario.durationS() * 1000L, scenario.convergeTimeoutS() * 1000L, seed);
        return new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 24 * 3600_000L), out).observedBy(observer);
    }

    public RunReport run() throws Exception {
        out.println("scenario " + scenario.name() + " seed=" + seed + ": " + scenario.description());
        Files.createDirectories(outDir);
        EventLoopGroup proxyLoops = NettyThreads.group("chaos-proxy", 1);
        List<ChaosProxy> proxies = new ArrayList<>();
        EmbeddedCluster embedded = null;
        LocalCluster processes = null;
        PeerLinks peerLinks = scenario.partitions() ? new PeerLinks() : null;
        try {
            InetSocketAddress access;
            if (scenario.cluster().mode().equals("embedded")) {
                embedded = EmbeddedCluster.start(scenario.cluster().sets(), 5_000, scenario.cluster().logicSettings());
                access = embedded.accessAddress();
            } else {
                Directories.deleteTree(outDir.resolve("cluster")); // every run starts from empty stores, as a replay must
                processes = LocalCluster.up(outDir.resolve("cluster"), scenario.cluster().sets(), FreePorts.base(6 * (scenario.cluster().sets() + 1) + 10),
                        scenario.cluster().storeArgs(), peerLinks != null ? peerLinks : LocalCluster.PeerAddressing.DIRECT, 1, List.of(),
                        scenario.cluster().logicArgs());
                try (ClusterStatus status = new ClusterStatus()) {
                    status.awaitPrimaries(processes, 60_000);
                }
                InetSocketAddress unresolved = RpcClientPool.parseAddress(processes.accessClients());
                access = new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
            }
            RunTimeline timeline = new RunTimeline();
            LoadRun run = load(access, proxyLoops, proxies, timeline);
            if (processes != null) {
                new FaultSchedule(processes, peerLinks, out).apply(scenario.faults(), run);
            }
            RunReport report = run.run();
            ReportWriter.write(outDir, scenario.name(), seed, report, timeline);
            run.history().writeJsonLines(outDir.resolve(OperationHistory.FILE));
            out.println("report: " + outDir.resolve("report.html"));
            return report;
        } finally {
            for (ChaosProxy proxy : proxies) {
                proxy.close();
            }
            proxyLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (embedded != null) {
                embedded.close();
            }
            if (processes != null) {
                processes.down();
            }
            if (peerLinks != null) {
                peerLinks.close();
            }
        }
    }
}

package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.chaos.ChaosProxy;
import io.synkit.sim.chaos.LinkProfile;
import io.synkit.sim.check.CheckResult;
import io.synkit.sim.device.Delivery;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.SimDevice;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import io.synkit.sim.run.UserGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat churn of {@link ChatChurnRunTest} with groups read from their logs: the logic node's
 * write-diffusion limit is lowered to 4 members, so the admins' group chats (created with 4)
 * switch to read diffusion at their first add under load (churn grows them up to 7) and leave
 * members again. The checker, which takes the large groups of the server's conversation list too,
 * finds nothing lost, duplicated or reordered across the switch, nothing on a removed member's
 * devices after the removal, and read marks and unread counts agreeing on every device and with the
 * server. The bounded CI form of {@code scenarios/chat-large-groups.yaml} (processes, a primary killed).
 */
class LargeGroupChurnRunTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 20261130L);
    private static final int WRITE_DIFFUSION_MEMBERS_MAX = 4;

    @Test
    void groupsSwitchingToReadDiffusionUnderChurnLoseNothingLeakNothingAndAgreeOnUnreadCounts() throws Exception {
        System.out.println("seed=" + SEED + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        EventLoopGroup proxyLoops = NettyThreads.group("test-chaos", 1);
        try (EmbeddedCluster cluster = EmbeddedCluster.start(2, 1000,
                Map.of("logic.group.write.diffusion.members.max", Integer.toString(WRITE_DIFFUSION_MEMBERS_MAX)))) {
            ChaosProxy proxy = new ChaosProxy(proxyLoops, cluster.accessAddress(), LinkProfile.named("3g"), SEED);
            InetSocketAddress lossy = proxy.start();
            try {
                TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
                LoadSettings settings = new LoadSettings(List.of(
                        new UserGroup("admins", 4, 2, 3, List.of(lossy), WRITE_DIFFUSION_MEMBERS_MAX, 0.7, 0.5, 0.3, 7),
                        new UserGroup("members", 8, 2, 2, List.of(cluster.accessAddress()), 0, 0, 0, 0.3)), 25, 8_000, 60_000, SEED);
                LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);

                RunReport report = run.run();

                CheckResult check = report.check();
                assertTrue(report.passed(), report.resultLine() + " foreign=" + check.foreign() + " unread_mismatch=" + check.unreadMismatches() + " "
                        + check.evidence());
                assertEquals(0, check.unreadMismatches(), check.evidence().toString());
                assertTrue(check.acked() > 100, report.resultLine());
                long readFromLogs = run.devices().stream().map(SimDevice::deliveries).flatMap(List::stream).filter(d -> d.seq() == 0).count();
                long readFromLogsByCreators = run.devices().stream().limit(8).map(SimDevice::deliveries).flatMap(List::stream)
                        .filter(d -> d.seq() == 0 && d.convId().startsWith("g:")).map(Delivery::convId).distinct().count();
                System.out.println("entries read from group logs: " + readFromLogs + ", by the creators of " + readFromLogsByCreators + " group chats");
                assertTrue(readFromLogsByCreators >= 1, "a group chat switched to read diffusion during the run: " + readFromLogsByCreators);
            } finally {
                proxy.close();
            }
        } finally {
            proxyLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}

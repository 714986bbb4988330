package io.synkit.ops.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.LocalCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The load the real-process fault tests put on a local cluster (10 users with 2 devices each,
 * 100 messages/s through its access node) and the verdict every such run must reach.
 */
final class ClusterLoad {

    static final int MESSAGES_PER_SECOND = 100;

    private ClusterLoad() {
    }

    /** A run of {@code seconds} of sending; add fault steps with {@link LoadRun#at}. */
    static LoadRun uniform(LocalCluster cluster, int seconds, long seed) {
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        InetSocketAddress access = RpcClientPool.parseAddress(cluster.accessClients());
        LoadSettings settings = LoadSettings.uniform(List.of(new InetSocketAddress(access.getHostString(), access.getPort())), 10, 2,
                MESSAGES_PER_SECOND, seconds * 1000L, 60_000, seed);
        return new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);
    }

    /** Every send settled without failing, and every acknowledged message reached every device once, in order. */
    static void assertNothingLostDuplicatedOrReordered(RunReport report) {
        assertEquals(0, report.check().failed(), report.resultLine());
        assertEquals(0, report.check().lost(), report.resultLine() + " " + report.check().evidence());
        assertEquals(0, report.check().duplicated(), report.resultLine() + " " + report.check().evidence());
        assertEquals(0, report.check().reordered(), report.resultLine() + " " + report.check().evidence());
        assertTrue(report.converged(), "devices converged");
    }
}

package io.synkit.ops.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.access.server.AccessServer;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node holding more links than it should redirects new logins to the other node: devices
 * configured with only the full node end up spread over both, each redirected at most once, and
 * the run loses nothing.
 */
class AccessRoutingTest {

    private static final int USERS = 10;
    private static final int DEVICES_PER_USER = 2;
    private static final int REDIRECT_ABOVE_LINKS = 8;

    @Test
    void aFullNodeRedirectsNewLoginsToTheOtherNodeAndTheDevicesFollow() throws Exception {
        try (DeviceCluster cluster = DeviceCluster.start()) {
            int port = FreePorts.base(2);
            int full = cluster.startAccess(Map.of("access.port", Integer.toString(port), "access.peer.addresses", "127.0.0.1:" + (port + 1),
                    "access.redirect.above.links", Integer.toString(REDIRECT_ABOVE_LINKS)));
            int spare = cluster.startAccess(Map.of("access.port", Integer.toString(port + 1), "access.peer.addresses", "127.0.0.1:" + port,
                    "access.redirect.above.links", Integer.toString(REDIRECT_ABOVE_LINKS)));
            AccessServer fullNode = cluster.accessServer(full);
            AccessServer spareNode = cluster.accessServer(spare);
            int devices = USERS * DEVICES_PER_USER;
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            LoadSettings settings = LoadSettings.uniform(List.of(cluster.access(full)), USERS, DEVICES_PER_USER, 50, 1000, 30_000, System.nanoTime());
            AtomicInteger onFull = new AtomicInteger(-1);
            AtomicInteger onSpare = new AtomicInteger(-1);
            LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out)
                    .at(0, "count links", () -> {
                        onFull.set(fullNode.sessionCount());
                        onSpare.set(spareNode.sessionCount());
                    });

            RunReport report = run.run();

            System.out.println("links: full node " + onFull.get() + ", spare node " + onSpare.get() + ", redirected "
                    + fullNode.metrics().counter("synkit_access_logins_redirected").count());
            assertTrue(report.passed(), report.resultLine());
            assertEquals(devices, onFull.get() + onSpare.get(), "every device is on one of the nodes");
            assertTrue(onSpare.get() >= devices - REDIRECT_ABOVE_LINKS - 2, "the devices beyond the full node's mark went to the other: "
                    + onFull.get() + " / " + onSpare.get());
            assertTrue(fullNode.metrics().counter("synkit_access_logins_redirected").count() >= onSpare.get());
            assertEquals(0, spareNode.metrics().counter("synkit_access_logins_redirected").count(), "a redirected login is never redirected again");
        }
    }
}

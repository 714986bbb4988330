package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.Delivery;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.SimDevice;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Real servers on loopback sockets, simulated devices, the checker: every acknowledged message
 * reaches every device of both members exactly once, in order, through a device that drops off
 * mid-stream and a store restart mid-stream.
 */
class EndToEndDeliveryTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 20261126L);

    @Test
    void everyAckedMessageReachesEveryDeviceOnceThroughReconnectAndStoreRestart() throws Exception {
        System.out.println("seed=" + SEED + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        try (EmbeddedCluster cluster = EmbeddedCluster.start(1, 1000)) {
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            // Two users, three devices in all: user 1 has a phone and a laptop, user 2 a phone.
            LoadSettings settings = new LoadSettings(List.of(cluster.accessAddress()), List.of(2, 1), 200, 5_000, 30_000, SEED);
            LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);
            AtomicInteger restarts = new AtomicInteger();
            run.at(1_000, () -> run.devices().get(1).setOnline(false))
                    .at(2_000, () -> {
                        try {
                            cluster.restartStore(0);
                            restarts.incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException("store restart failed", e);
                        }
                    })
                    .at(3_000, () -> run.devices().get(1).setOnline(true));

            RunReport report = run.run();

            assertEquals(1, restarts.get(), "the store restarted mid-stream");
            assertEquals(1000, report.check().sent(), report.resultLine());
            assertEquals(1000, report.check().acked(), report.resultLine());
            assertEquals(0, report.check().lost(), report.resultLine() + " " + report.check().evidence());
            assertEquals(0, report.check().duplicated(), report.resultLine() + " " + report.check().evidence());
            assertEquals(0, report.check().reordered(), report.resultLine() + " " + report.check().evidence());
            assertTrue(report.converged(), "devices converged");
            // Every device holds all 1,000 messages: each involves both users.
            for (SimDevice device : run.devices()) {
                List<Delivery> got = device.deliveries();
                assertEquals(1000, got.size(), device + " deliveries");
                assertEquals(1000, got.get(got.size() - 1).seq(), device + " last seq");
            }
        }
    }
}

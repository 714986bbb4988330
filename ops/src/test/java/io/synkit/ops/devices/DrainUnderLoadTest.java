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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A node leaving under load, through real servers and sockets: devices that were configured with
 * only that node learn the other node at login and move there, on the drain's GoAway or when the
 * node is gone without one (its links cut, as a kill -9 cuts them), and the checker finds nothing
 * lost, duplicated or reordered.
 */
class DrainUnderLoadTest {

    /** 40 devices in CI; {@code -Dsynkit.drain.users=1000} for the run in docs/benchmarks.md. */
    private static final int USERS = Integer.getInteger("synkit.drain.users", 20);
    private static final int DEVICES_PER_USER = 2;
    /** Five batches of GoAways, whatever the scale. */
    private static final int GOAWAY_BATCH_LINKS = Math.max(1, USERS * DEVICES_PER_USER / 5);
    /** The issue's target: every client back within 10 s of a drain. */
    private static final long ALL_BACK_MS_MAX = 10_000;

    @Test
    void aDrainUnderLoadMovesEveryClientToTheOtherNodeWithNothingLost() throws Exception {
        leaveUnderLoad(AccessServer::drain, "a drain");
    }

    @Test
    void aNodeGoneUnderLoadWithoutADrainLosesNothingAndItsClientsAreBackOnTheOtherNode() throws Exception {
        leaveUnderLoad(AccessServer::close, "the node's links cut without a drain");
    }

    private void leaveUnderLoad(Consumer<AccessServer> leave, String how) throws Exception {
        try (DeviceCluster cluster = DeviceCluster.start()) {
            int port = FreePorts.base(2);
            int draining = cluster.startAccess(Map.of("access.port", Integer.toString(port), "access.peer.addresses", "127.0.0.1:" + (port + 1),
                    "access.drain.goaway.batch.links", Integer.toString(GOAWAY_BATCH_LINKS), "access.drain.goaway.batch.interval.ms", "50", "access.drain.timeout.ms", "3000"));
            int staying = cluster.startAccess(Map.of("access.port", Integer.toString(port + 1), "access.peer.addresses", "127.0.0.1:" + port));
            AccessServer drained = cluster.accessServer(draining);
            AccessServer other = cluster.accessServer(staying);
            int devices = USERS * DEVICES_PER_USER;
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            LoadSettings settings = LoadSettings.uniform(List.of(cluster.access(draining)), USERS, DEVICES_PER_USER, 100, 4000, 30_000,
                    System.nanoTime());
            AtomicLong allBackMs = new AtomicLong(-1);
            LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out)
                    .at(1500, how, () -> allBackMs.set(leaveAndAwaitAllOn(leave, drained, other, devices)));

            RunReport report = run.run();

            System.out.println(how + " under load: all " + devices + " devices back on the other node " + allBackMs.get() + " ms after it began");
            assertTrue(report.passed(), report.resultLine());
            assertTrue(report.check().acked() > 0, report.resultLine());
            assertEquals(0, drained.sessionCount());
            assertTrue(allBackMs.get() >= 0 && allBackMs.get() <= ALL_BACK_MS_MAX, "all back within " + ALL_BACK_MS_MAX + " ms: " + allBackMs.get());
        }
    }

    /** Lets {@code drained} leave and returns how long after it began every device was on {@code other}, or -1 if not within 20 s. */
    private static long leaveAndAwaitAllOn(Consumer<AccessServer> leave, AccessServer drained, AccessServer other, int devices) {
        long startNs = System.nanoTime();
        leave.accept(drained);
        long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(20);
        while (other.sessionCount() < devices) {
            if (System.nanoTime() > deadlineNs) {
                return -1;
            }
            try {
                Thread.sleep(10); // devices reconnect on their own schedule; bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }
}

package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.OperationHistory;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A load run and its devices read time from the one clock the run is given: the times a device
 * records (send attempts, acks, syncs, deliveries) are on the same scale as the run's intended
 * send times, so latencies compare like with like.
 */
class RunClockTest {

    /** Far from the system clock, so a time read from it instead stands out. */
    private static final long SHIFT_NS = TimeUnit.DAYS.toNanos(1);

    @Test
    void devicesRecordTimesFromTheRunsClock() throws Exception {
        Clock shifted = new Clock() {
            @Override
            public long nowMs() {
                return System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(SHIFT_NS);
            }

            @Override
            public long nanoTime() {
                return System.nanoTime() + SHIFT_NS;
            }
        };
        try (EmbeddedCluster cluster = EmbeddedCluster.start(1, 1000)) {
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            LoadSettings settings = new LoadSettings(List.of(cluster.accessAddress()), List.of(1, 1), 50, 1_000, 30_000, 11L);
            long beforeNs = shifted.nanoTime();
            LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out, shifted);

            RunReport report = run.run();

            long afterNs = shifted.nanoTime();
            assertTrue(report.passed(), report.resultLine());
            List<OperationHistory.Operation> operations = run.history().operations();
            assertFalse(operations.isEmpty());
            for (OperationHistory.Operation operation : operations) {
                assertTrue(operation.invokeNanos() >= beforeNs && operation.completeNanos() <= afterNs, "recorded on the run's clock: " + operation);
            }
            assertTrue(report.ackLatencyUs().getMaxValue() < TimeUnit.MINUTES.toMicros(1), "ack latency from the run's intended send times");
        }
    }
}

package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A load run's fault steps end before the run does (issue 15: a step that wiped a replica was
 * still waiting when the run returned, so the test judged the run without it and tore the
 * cluster down under it; the step then started a replica that ran on for an hour).
 */
class FaultStepsTest {

    /** How long the step lasts: well past the send phase and the converge of this small run. */
    private static final long STEP_MS = 3_000;

    @Test
    void aRunReturnsOnlyAfterEveryFaultStepReturned() throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.start(1, 1000)) {
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            LoadSettings settings = new LoadSettings(List.of(cluster.accessAddress()), List.of(1, 1), 20, 500, 30_000, 5L);
            AtomicBoolean stepReturned = new AtomicBoolean();
            LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out)
                    .at(100, () -> {
                        try {
                            Thread.sleep(STEP_MS); // the step itself lasts this long (a fault held for a while)
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        stepReturned.set(true);
                    });

            RunReport report = run.run();

            assertTrue(stepReturned.get(), "the step returned before the run did");
            assertTrue(report.passed(), report.resultLine());
        }
    }
}

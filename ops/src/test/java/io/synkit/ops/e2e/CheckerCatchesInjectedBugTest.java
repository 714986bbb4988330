package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;

/**
 * The checker is only worth something if it fails: run the system with a real sync bug between
 * it and the devices ({@link SyncSkipsOpProxy}) and watch the checker fail.
 */
class CheckerCatchesInjectedBugTest {

    @Test
    void checkerReportsLostAndGappedMessagesWhenSyncSkipsAnOp() throws Exception {
        try (EmbeddedCluster cluster = EmbeddedCluster.start(1, 1000); SyncSkipsOpProxy buggySync = new SyncSkipsOpProxy(cluster.accessAddress())) {
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            // A device that is offline while messages arrive syncs a page of several ops on reconnect.
            LoadSettings settings = new LoadSettings(List.of(buggySync.start()), List.of(2, 1), 100, 3_000, 10_000, 7L);
            LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);
            run.at(500, () -> run.devices().get(2).setOnline(false)).at(1_500, () -> run.devices().get(2).setOnline(true));

            RunReport report = run.run();

            assertFalse(report.passed(), "the checker must fail this run: " + report.resultLine());
            assertTrue(report.check().lost() > 0, "lost messages reported: " + report.resultLine());
            assertTrue(report.check().reordered() > 0, "seq gaps reported: " + report.resultLine());
            assertTrue(report.check().evidence().stream().anyMatch(line -> line.startsWith("lost: acked message")), "evidence names a lost message");
        }
    }
}

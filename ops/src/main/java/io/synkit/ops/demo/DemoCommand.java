package io.synkit.ops.demo;

import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.sim.LoadFlags;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ops demo}: the whole system in one JVM (store SETs, logic, access, each on its own
 * loopback port over real sockets, data in a temp dir) plus simulated devices, for a bounded
 * time; ends with the RESULT line and exits non-zero if anything was lost, duplicated or
 * reordered.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the all-in-one demo: cluster + simulated devices + checker.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--devices", defaultValue = "100", description = "Simulated devices, 2 per user (default ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--sets", defaultValue = "3", description = "Store SETs (default ${DEFAULT-VALUE})")
    int sets;

    @Mixin
    LoadFlags load;

    @Override
    public Integer call() throws Exception {
        if (devices < 4 || devices % 2 != 0) {
            System.err.println("--devices=" + devices + " must be an even number >= 4 (2 devices per user)");
            return 2;
        }
        try (EmbeddedCluster cluster = EmbeddedCluster.start(sets, 5_000)) {
            System.out.println("cluster up: " + sets + " store SETs, 1 logic node, access at " + cluster.accessAddress());
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            LoadSettings settings = LoadSettings.uniform(List.of(cluster.accessAddress()), devices / 2, 2, load.rate(), load.durationMs(),
                    load.convergeTimeoutMs(), load.seed());
            RunReport report = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out).run();
            return report.passed() ? 0 : 1;
        }
    }
}

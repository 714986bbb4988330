package io.synkit.ops;

import io.synkit.ops.bench.BenchCommand;
import io.synkit.ops.cluster.ClusterCommand;
import io.synkit.ops.demo.DemoCommand;
import io.synkit.ops.release.ReleaseCommand;
import io.synkit.ops.scenario.ScenarioCommand;
import io.synkit.ops.slotmap.SlotMapCommand;
import io.synkit.ops.token.TokenCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The operator CLI. */
@Command(name = "ops", mixinStandardHelpOptions = true, description = "synkit operator CLI.",
        subcommands = {DemoCommand.class, ClusterCommand.class, ScenarioCommand.class, BenchCommand.class, TokenCommand.class,
                ReleaseCommand.class, SlotMapCommand.class})
public final class OpsMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new OpsMain()).execute(args);
        System.exit(code);
    }
}

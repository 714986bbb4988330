package io.synkit.ops.bench;

import picocli.CommandLine.Command;

/** {@code ops bench ...}: benchmarks that print figures and the command that produced them. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.", subcommands = {StoreBenchCommand.class, ApplyBenchCommand.class, LinksBenchCommand.class,
        GroupBenchCommand.class})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}

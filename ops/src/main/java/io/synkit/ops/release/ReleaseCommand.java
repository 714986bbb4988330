package io.synkit.ops.release;

import io.synkit.ops.cluster.LocalCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ops release set|nodes|list}: gray release of a local cluster, a SET or a kind of node at a time, and the record of every release. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Gray release: move one SET, or the logic or access nodes, to another build while they serve; list past releases.",
        subcommands = {ReleaseCommand.SetCommand.class, ReleaseCommand.NodesCommand.class, ReleaseCommand.ListCommand.class})
public final class ReleaseCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** What every release takes: the cluster, the build, the gates, a dry run, who. */
    static final class Options {
        @Option(names = "--dir", required = true, description = "Cluster directory")
        Path dir;

        @Option(names = "--build", required = true, description = "Build directory holding store-server-all.jar, logic-server-all.jar, access-server-all.jar")
        Path build;

        @Option(names = "--dry-run", description = "Print the plan and check the targets, change nothing")
        boolean dryRun;

        @Option(names = "--soak-s", defaultValue = "20", description = "Soak after each step, seconds (default ${DEFAULT-VALUE})")
        long soakS;

        @Option(names = "--catch-up-timeout-s", defaultValue = "60", description = "A restarted node must catch up / be ready within (default ${DEFAULT-VALUE})")
        long catchUpTimeoutS;

        @Option(names = "--lag-entries-max", defaultValue = "1000", description = "Lag gate (default ${DEFAULT-VALUE})")
        long lagEntriesMax;

        @Option(names = "--error-rate-max", defaultValue = "0.01", description = "Server-error share gate at logic (default ${DEFAULT-VALUE})")
        double errorRateMax;

        @Option(names = "--p99-ms-max", defaultValue = "1000", description = "Send p99 gate at logic, ms (default ${DEFAULT-VALUE})")
        double p99MsMax;

        @Option(names = "--clients-rate", defaultValue = "20", description = "Messages/s of the soak's simulated clients (default ${DEFAULT-VALUE})")
        double clientsRate;

        @Option(names = "--drill-fail-step", defaultValue = "0", description = "Drill: the gates of this step fail on purpose, to rehearse a rollback")
        int drillFailStep;

        @Option(names = "--who", description = "Who runs the release, for the record (default: the OS user)")
        String who;

        ReleaseGates gates() {
            return new ReleaseGates(soakS * 1000, catchUpTimeoutS * 1000, lagEntriesMax, errorRateMax, p99MsMax, clientsRate, drillFailStep);
        }

        String operator() {
            return who != null ? who : System.getProperty("user.name", "unknown");
        }
    }

    /** A release to run, once its inputs parsed. */
    private interface Run {
        Optional<ReleaseRecord> run(LocalCluster cluster, Build to, ReleaseGates gates) throws IOException, InterruptedException;
    }

    /** Exit 0 released (or dry run), 1 rolled back, failed or not started, 2 bad input. */
    private static int execute(Options options, String what, Run release) throws InterruptedException {
        Build to;
        ReleaseGates gates;
        LocalCluster cluster;
        try {
            to = Build.of(options.build);
            gates = options.gates();
            cluster = LocalCluster.open(options.dir);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("release: " + e.getMessage());
            return 2;
        }
        try {
            return release.run(cluster, to, gates).map(record -> record.released() ? 0 : 1).orElse(0);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("release of " + what + " not started: " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Move a SET's replicas to a build one at a time (backups first, then a hand-over and the old primary), with health gates"
                    + " over a soak after each step and automatic rollback when one fails. Exit 0 released, 1 rolled back or failed, 2 bad input.")
    static final class SetCommand implements Callable<Integer> {
        @Mixin
        Options options;

        @Option(names = "--set", required = true, description = "SET id, e.g. s1")
        String set;

        @Override
        public Integer call() throws Exception {
            return execute(options, "SET " + set,
                    (cluster, to, gates) -> new SetRelease(cluster, set, to, gates, System.out, options.operator()).run(options.dryRun));
        }
    }

    @Command(name = "nodes", mixinStandardHelpOptions = true,
            description = "Move the logic or the access nodes to a build one at a time, with the same gates and rollback.")
    static final class NodesCommand implements Callable<Integer> {
        @Mixin
        Options options;

        @Option(names = "--role", required = true, description = "logic | access")
        String role;

        @Override
        public Integer call() throws Exception {
            Build.Role which;
            switch (role) {
                case "logic" -> which = Build.Role.LOGIC;
                case "access" -> which = Build.Role.ACCESS;
                default -> {
                    System.err.println("release: --role is logic or access (store replicas: 'release set')");
                    return 2;
                }
            }
            return execute(options, role + " nodes",
                    (cluster, to, gates) -> new NodesRelease(cluster, which, to, gates, System.out, options.operator()).run(options.dryRun));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every release of the cluster: when, who, what, outcome.")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "Cluster directory")
        Path dir;

        @Override
        public Integer call() throws Exception {
            new ReleaseRecords(dir).table().forEach(System.out::println);
            return 0;
        }
    }
}

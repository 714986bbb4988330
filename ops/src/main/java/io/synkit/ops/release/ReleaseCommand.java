package io.synkit.ops.release;

import io.synkit.ops.cluster.LocalCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ops release set|list}: gray release of a local cluster, one SET at a time, and the record of every release. */
@Command(name = "release", mixinStandardHelpOptions = true, description = "Gray release: move one SET to another build while it serves; list past releases.",
        subcommands = {ReleaseCommand.SetCommand.class, ReleaseCommand.ListCommand.class})
public final class ReleaseCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Move a SET's replicas to a build one at a time (backups first, then a hand-over and the old primary), with health gates"
                    + " over a soak after each step and automatic rollback when one fails. Exit 0 released, 1 rolled back or failed, 2 bad input.")
    static final class SetCommand implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "Cluster directory")
        Path dir;

        @Option(names = "--set", required = true, description = "SET id, e.g. s1")
        String set;

        @Option(names = "--build", required = true, description = "Build directory holding store-server-all.jar, logic-server-all.jar, access-server-all.jar")
        Path build;

        @Option(names = "--dry-run", description = "Print the plan and check the SET, change nothing")
        boolean dryRun;

        @Option(names = "--soak-s", defaultValue = "20", description = "Soak after each step, seconds (default ${DEFAULT-VALUE})")
        long soakS;

        @Option(names = "--catch-up-timeout-s", defaultValue = "60", description = "A restarted replica must catch up within (default ${DEFAULT-VALUE})")
        long catchUpTimeoutS;

        @Option(names = "--lag-entries-max", defaultValue = "1000", description = "Lag gate (default ${DEFAULT-VALUE})")
        long lagEntriesMax;

        @Option(names = "--error-rate-max", defaultValue = "0.01", description = "Server-error share gate at logic (default ${DEFAULT-VALUE})")
        double errorRateMax;

        @Option(names = "--p99-ms-max", defaultValue = "1000", description = "Send p99 gate at logic, ms (default ${DEFAULT-VALUE})")
        double p99MsMax;

        @Option(names = "--clients-rate", defaultValue = "20", description = "Messages/s of the soak's simulated clients (default ${DEFAULT-VALUE})")
        double clientsRate;

        @Option(names = "--drill-fail-step", defaultValue = "0", description = "Drill: the gates of this step (1-3) fail on purpose, to rehearse a rollback")
        int drillFailStep;

        @Option(names = "--who", description = "Who runs the release, for the record (default: the OS user)")
        String who;

        @Override
        public Integer call() throws Exception {
            Build to;
            ReleaseGates gates;
            LocalCluster cluster;
            try {
                to = Build.of(build);
                gates = new ReleaseGates(soakS * 1000, catchUpTimeoutS * 1000, lagEntriesMax, errorRateMax, p99MsMax, clientsRate, drillFailStep);
                cluster = LocalCluster.open(dir);
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("release: " + e.getMessage());
                return 2;
            }
            String operator = who != null ? who : System.getProperty("user.name", "unknown");
            try {
                return new SetRelease(cluster, set, to, gates, System.out, operator).run(dryRun).map(record -> record.released() ? 0 : 1).orElse(0);
            } catch (IOException e) {
                System.err.println("release of SET " + set + " not started: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every release of the cluster: when, who, what, outcome.")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "Cluster directory")
        Path dir;

        @Override
        public Integer call() throws Exception {
            List<ReleaseRecord> records = new ReleaseRecords(dir).list();
            System.out.println(String.format(Locale.ROOT, "%-26s %-10s %-8s %-6s %-40s %s", "id", "who", "target", "steps", "to", "outcome"));
            for (ReleaseRecord record : records) {
                System.out.println(String.format(Locale.ROOT, "%-26s %-10s %-8s %-6s %-40s %s", record.id(), record.who(), record.target(),
                        record.steps().size() + (record.rollback().isEmpty() ? "" : "+" + record.rollback().size()), record.to(), record.outcome()));
            }
            return 0;
        }
    }
}

package io.synkit.ops.release;

import io.synkit.ops.cluster.LocalCluster;
import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What every release step shares: the restart on a build, and the soak after it, which reads the
 * gates every kind of step has (logic's server-error share and send p99 over the soak, and the
 * verdict of simulated clients sending during it).
 */
final class Soak {

    private static final int METRICS_TIMEOUT_MS = 5000;
    private static final Set<String> SERVER_ERRORS = Set.of("UNAVAILABLE", "TIMEOUT", "INTERNAL");

    private Soak() {
    }

    /** SIGTERM (graceful), then a start on {@code classPath} that returns once the node is ready and answers as itself. */
    static void restartOn(LocalCluster cluster, String node, String classPath) throws IOException, InterruptedException {
        cluster.builds().use(node, classPath);
        cluster.stop(node);
        cluster.start(node);
    }

    /** The gates over one soak: simulated clients (homed on {@code set} when given) for its length, logic's counters before and after. */
    static List<ReleaseGates.Result> run(LocalCluster cluster, Optional<String> set, ReleaseGates gates, Path clientLog)
            throws IOException, InterruptedException {
        Optional<String> logicAdmin = cluster.serverNodes().contains("logic") ? cluster.adminAddress("logic") : Optional.empty();
        MetricsText before = logicAdmin.isPresent() ? MetricsText.scrape(logicAdmin.get(), METRICS_TIMEOUT_MS) : null;
        RunReport clients = null;
        if (cluster.serverNodes().stream().anyMatch(n -> n.startsWith("access"))) {
            CompletableFuture<RunReport> run = Canary.start(cluster, set, gates.canaryMessagesPerSecond(), gates.soakMs(), clientLog);
            try {
                clients = run.join();
            } catch (CompletionException e) {
                throw new IOException("the soak's clients failed: " + e.getCause(), e);
            }
        } else {
            Thread.sleep(gates.soakMs()); // no access node to drive clients through: the soak is time alone
        }
        MetricsText after = logicAdmin.isPresent() ? MetricsText.scrape(logicAdmin.get(), METRICS_TIMEOUT_MS) : null;
        List<ReleaseGates.Result> results = new ArrayList<>(logicGates(before, after, gates));
        results.add(clientGate(clients));
        return results;
    }

    /** Server-error share and send p99 of what logic answered during the soak. */
    private static List<ReleaseGates.Result> logicGates(MetricsText before, MetricsText after, ReleaseGates gates) {
        if (before == null || after == null) {
            return List.of(new ReleaseGates.Result("errors", "n/a (no logic node)", "-", true));
        }
        double total = after.sum("synkit_logic_requests_total", l -> true) - before.sum("synkit_logic_requests_total", l -> true);
        double errors = after.sum("synkit_logic_requests_total", l -> SERVER_ERRORS.contains(l.get("outcome")))
                - before.sum("synkit_logic_requests_total", l -> SERVER_ERRORS.contains(l.get("outcome")));
        double rate = total <= 0 ? 0 : errors / total;
        double p99Ms = 1000 * MetricsText.quantile(0.99, before.buckets("synkit_logic_request_seconds", l -> "send".equals(l.get("kind"))),
                after.buckets("synkit_logic_request_seconds", l -> "send".equals(l.get("kind"))));
        return List.of(
                new ReleaseGates.Result("errors", String.format(Locale.ROOT, "%.3f%% of %.0f", 100 * rate, total),
                        String.format(Locale.ROOT, "%.2f%%", 100 * gates.errorRateMax()), rate <= gates.errorRateMax()),
                new ReleaseGates.Result("send_p99", Double.isNaN(p99Ms) ? "no sends" : String.format(Locale.ROOT, "%.0f ms", p99Ms),
                        String.format(Locale.ROOT, "%.0f ms", gates.p99MsMax()), Double.isNaN(p99Ms) || p99Ms <= gates.p99MsMax()));
    }

    private static ReleaseGates.Result clientGate(RunReport clients) {
        if (clients == null) {
            return new ReleaseGates.Result("clients", "n/a (no access node)", "-", true);
        }
        String verdict = String.format(Locale.ROOT, "acked=%d lost=%d duplicated=%d reordered=%d failed=%d converged=%s", clients.check().acked(),
                clients.check().lost(), clients.check().duplicated(), clients.check().reordered(), clients.check().failed(), clients.converged());
        boolean passed = clients.passed() && clients.check().failed() == 0 && clients.check().acked() > 0;
        return new ReleaseGates.Result("clients", verdict, "acked>0 lost=duplicated=reordered=failed=0 converged", passed);
    }

}

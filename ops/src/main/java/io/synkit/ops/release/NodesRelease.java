package io.synkit.ops.release;

import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.ServerStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Moves the logic nodes or the access nodes of a local cluster to another build, one node at a
 * time: SIGTERM (an access node drains: its clients get GoAway and reconnect), a start on the
 * build, ready within the catch-up timeout, then the soak's gates ({@link Soak}) plus the node's
 * version and readiness. A failing gate rolls back every node moved so far, last first. (A local
 * cluster has one logic node: while it restarts, requests wait in the clients' retries.)
 */
public final class NodesRelease {

    private static final int STATUS_TIMEOUT_MS = 2000;
    private static final long POLL_MS = 200;

    private final LocalCluster cluster;
    private final Build.Role role;
    private final Build to;
    private final ReleaseGates gates;
    private final PrintStream out;
    private final ReleaseRecords records;
    private final String who;

    public NodesRelease(LocalCluster cluster, Build.Role role, Build to, ReleaseGates gates, PrintStream out, String who) {
        if (role == Build.Role.STORE) {
            throw new IllegalArgumentException("store replicas are released a SET at a time (SetRelease)");
        }
        this.cluster = cluster;
        this.role = role;
        this.to = to;
        this.gates = gates;
        this.out = out;
        this.records = new ReleaseRecords(cluster.dir());
        this.who = who;
    }

    public Optional<ReleaseRecord> run(boolean dryRun) throws IOException, InterruptedException {
        List<String> nodes = cluster.serverNodes().stream().filter(node -> Build.Role.of(node) == role).toList();
        if (nodes.isEmpty()) {
            throw new IOException("the cluster in " + cluster.dir() + " has no " + role.name().toLowerCase(Locale.ROOT) + " node");
        }
        Map<String, String> before = new LinkedHashMap<>();
        for (String node : nodes) {
            ServerStatus status = status(node);
            String notReady = ServerStatus.notReadyReason(cluster.adminAddress(node).orElse("none:0"), STATUS_TIMEOUT_MS);
            if (status.pairs().isEmpty() || notReady != null) {
                throw new IOException("preflight: " + node + " is not ready (" + (status.pairs().isEmpty() ? status.detail() : notReady) + ")");
            }
            before.put(node, status.pairs().get("version"));
        }
        List<String> from = new ArrayList<>();
        before.forEach((node, version) -> from.add(node + "=" + version));
        out.println("release " + role.name().toLowerCase(Locale.ROOT) + " nodes to " + to + (dryRun ? " (dry run)" : ""));
        out.println("  now: " + String.join(" ", from));
        for (int step = 1; step <= nodes.size(); step++) {
            out.printf(Locale.ROOT, "  step %d/%d: restart %s on %s%n", step, nodes.size(), nodes.get(step - 1), to.version());
        }
        if (dryRun) {
            return Optional.empty();
        }
        return Optional.of(execute(nodes, before, from));
    }

    private ReleaseRecord execute(List<String> nodes, Map<String, String> before, List<String> from) throws IOException, InterruptedException {
        Instant started = Instant.now();
        String id = SetRelease.id(started, role.name().toLowerCase(Locale.ROOT));
        Map<String, String> previousClassPath = new LinkedHashMap<>();
        List<ReleaseRecord.Step> steps = new ArrayList<>();
        List<ReleaseRecord.Step> rollback = new ArrayList<>();
        String outcome = "released";
        for (int step = 1; step <= nodes.size(); step++) {
            String node = nodes.get(step - 1);
            previousClassPath.put(node, cluster.builds().classPath(node));
            out.printf(Locale.ROOT, "[%d/%d] %s%n", step, nodes.size(), node);
            ReleaseRecord.Step done = move(step, node, to.classPath(role), to.version(), id, true);
            steps.add(done);
            out.println("  gates: " + done.gates());
            if (!done.passed()) {
                String failed = String.join(", ", done.gates().stream().filter(g -> !g.passed()).map(ReleaseGates.Result::gate).toList());
                out.println("  gate failed (" + failed + "): rolling back");
                outcome = "rolled back: " + failed + " failed at step " + step + " (" + node + ")";
                List<String> moved = new ArrayList<>(previousClassPath.keySet());
                for (int i = moved.size() - 1; i >= 0; i--) {
                    String back = moved.get(i);
                    ReleaseRecord.Step undone = move(rollback.size() + 1, back, previousClassPath.get(back), before.get(back), id, false);
                    rollback.add(undone);
                    out.println("  rolled back " + back + " to " + before.get(back) + ": " + undone.gates());
                    if (!undone.passed()) {
                        outcome = "failed: the rollback of " + back + " did not finish; " + outcome;
                        break;
                    }
                }
                break;
            }
            records.save(record(id, from, started, steps, rollback, "in progress"));
        }
        ReleaseRecord record = record(id, from, started, steps, rollback, outcome);
        out.println("release " + id + ": " + outcome + " (record " + records.save(record) + ")");
        return record;
    }

    /** Restarts {@code node} on {@code classPath}, waits until it is ready, and reads its gates (with a soak when {@code soak}). */
    private ReleaseRecord.Step move(int step, String node, String classPath, String version, String id, boolean soak) throws InterruptedException {
        long startNs = System.nanoTime();
        List<ReleaseGates.Result> results = new ArrayList<>();
        try {
            Soak.restartOn(cluster, node, classPath);
            awaitReady(node);
            if (soak) {
                out.printf(Locale.ROOT, "  %s runs %s and is ready; soaking %d ms%n", node, version, gates.soakMs());
                results.addAll(Soak.run(cluster, Optional.empty(), gates, cluster.dir().resolve("releases").resolve(id + "-step" + step + "-clients.log")));
            }
            String reported = status(node).pairs().getOrDefault("version", "no answer");
            results.add(0, new ReleaseGates.Result("version", reported, version, reported.equals(version)));
        } catch (IOException e) {
            results.add(new ReleaseGates.Result("step", e.getMessage(), "no error", false));
        }
        if (soak && step == gates.drillFailStep()) {
            results.add(new ReleaseGates.Result("drill", "forced to fail", "none", false));
        }
        boolean passed = results.stream().allMatch(ReleaseGates.Result::passed);
        return new ReleaseRecord.Step(step, node, "restart on " + version, results, passed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    /** Until the node's /health/ready answers 200 (an access node: its own login probe passed). */
    private void awaitReady(String node) throws IOException, InterruptedException {
        String admin = cluster.adminAddress(node).orElseThrow(() -> new IOException(node + " has no admin port: its readiness cannot be seen"));
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(gates.catchUpTimeoutMs());
        String notReady = ServerStatus.notReadyReason(admin, STATUS_TIMEOUT_MS);
        while (notReady != null) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IOException(node + " not ready within " + gates.catchUpTimeoutMs() + " ms (last: " + notReady + ")");
            }
            Thread.sleep(POLL_MS); // the node becomes ready at its own pace (an access node's first login probe); bounded by the deadline
            notReady = ServerStatus.notReadyReason(admin, STATUS_TIMEOUT_MS);
        }
    }

    private ServerStatus status(String node) throws IOException {
        return ServerStatus.query(cluster, STATUS_TIMEOUT_MS).stream().filter(s -> s.node().equals(node)).findFirst().orElseThrow();
    }

    private ReleaseRecord record(String id, List<String> from, Instant started, List<ReleaseRecord.Step> steps, List<ReleaseRecord.Step> rollback,
                                 String outcome) {
        return new ReleaseRecord(id, who, role.name().toLowerCase(Locale.ROOT) + " nodes", from, to.toString(), started.toString(),
                Instant.now().toString(), List.copyOf(steps), List.copyOf(rollback), outcome);
    }
}

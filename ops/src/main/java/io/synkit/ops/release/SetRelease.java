package io.synkit.ops.release;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.ReplicaHandOver;
import io.synkit.ops.cluster.ReplicaState;
import io.synkit.protocol.internal.ReplicaStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Moves one SET of a local cluster to another build, one replica at a time, while it serves:
 * the backups first, then the primary, which first hands its role to a backup already on the new
 * build (no election timeout). Each step restarts the replica on the build (SIGTERM, start, ready),
 * waits until it caught up, and soaks: the {@link ReleaseGates} are read over the soak, with
 * simulated clients homed on the SET ({@link Canary}). A failing gate rolls back every replica
 * moved so far, last first, each to the build it ran before (a primary among them hands over to a
 * replica on that build first). Progress goes to {@code out}; the {@link ReleaseRecord} is saved
 * after every step, so an interrupted release leaves its record.
 */
public final class SetRelease {

    private static final long HAND_OVER_TIMEOUT_MS = 10_000;
    private static final long STATUS_TIMEOUT_MS = 2000;
    private static final long POLL_MS = 200;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final LocalCluster cluster;
    private final String set;
    private final Build to;
    private final ReleaseGates gates;
    private final PrintStream out;
    private final ReleaseRecords records;
    private final String who;

    public SetRelease(LocalCluster cluster, String set, Build to, ReleaseGates gates, PrintStream out, String who) {
        this.cluster = cluster;
        this.set = set;
        this.to = to;
        this.gates = gates;
        this.out = out;
        this.records = new ReleaseRecords(cluster.dir());
        this.who = who;
    }

    /**
     * Prints the plan and checks the SET can take it (every replica answers, one holds the lease,
     * none is catching up); with {@code dryRun} stops there. Returns the record, or empty for a dry run.
     *
     * @throws IOException the preflight failed (nothing was changed)
     */
    public Optional<ReleaseRecord> run(boolean dryRun) throws IOException, InterruptedException {
        try (ClusterStatus status = new ClusterStatus(); ReplicaHandOver handOver = new ReplicaHandOver()) {
            Map<String, ReplicaStatus> before = replicas(status);
            List<String> order = order(before);
            List<String> from = new ArrayList<>();
            before.forEach((node, replica) -> from.add(node + "=" + replica.getBuildVersion() + "/" + replica.getProtocolVersion()));
            out.println("release SET " + set + " to " + to + (dryRun ? " (dry run)" : ""));
            out.println("  now: " + String.join(" ", from));
            for (int step = 1; step <= order.size(); step++) {
                String node = order.get(step - 1);
                out.printf(Locale.ROOT, "  step %d/%d: %s%n", step, order.size(), step == order.size()
                        ? "hand " + node + "'s primary role to " + order.get(0) + ", restart " + node + " on " + to.version()
                        : "restart backup " + node + " on " + to.version());
            }
            out.printf(Locale.ROOT, "  after each: caught up within %d ms, soak %d ms; gates: primary, lag <= %d, errors <= %.2f%%, send p99 <= %.0f ms,"
                            + " clients lost=duplicated=reordered=failed=0%s%n", gates.catchUpTimeoutMs(), gates.soakMs(), gates.lagEntriesMax(),
                    100 * gates.errorRateMax(), gates.p99MsMax(), gates.drillFailStep() > 0 ? "; drill: step " + gates.drillFailStep() + " fails" : "");
            if (dryRun) {
                return Optional.empty();
            }
            return Optional.of(execute(status, handOver, order, from, before));
        }
    }

    private ReleaseRecord execute(ClusterStatus status, ReplicaHandOver handOver, List<String> order, List<String> from,
                                  Map<String, ReplicaStatus> before) throws IOException, InterruptedException {
        Instant started = Instant.now();
        String id = id(started, set);
        Map<String, String> previousClassPath = new LinkedHashMap<>();
        List<ReleaseRecord.Step> steps = new ArrayList<>();
        List<ReleaseRecord.Step> rollback = new ArrayList<>();
        String outcome = "released";
        for (int step = 1; step <= order.size(); step++) {
            String node = order.get(step - 1);
            boolean primary = step == order.size();
            previousClassPath.put(node, cluster.builds().classPath(node));
            out.printf(Locale.ROOT, "[%d/%d] %s%n", step, order.size(), node);
            ReleaseRecord.Step done = upgrade(status, handOver, step, node, primary ? Optional.of(order.get(0)) : Optional.empty(), id);
            steps.add(done);
            out.println("  gates: " + done.gates());
            if (!done.passed()) {
                String failed = String.join(", ", done.gates().stream().filter(g -> !g.passed()).map(ReleaseGates.Result::gate).toList());
                out.println("  gate failed (" + failed + "): rolling back");
                outcome = rollBack(status, handOver, previousClassPath, before, rollback, "rolled back: " + failed + " failed at step " + step + " (" + node + ")");
                break;
            }
            records.save(record(id, from, started, steps, rollback, "in progress"));
        }
        ReleaseRecord record = record(id, from, started, steps, rollback, outcome);
        out.println("release " + id + ": " + outcome + " (record " + records.save(record) + ")");
        return record;
    }

    /** One step: a hand-over first when {@code handOverTo} is given (the node is the primary), the restart, catch-up and soak. */
    private ReleaseRecord.Step upgrade(ClusterStatus status, ReplicaHandOver handOver, int step, String node, Optional<String> handOverTo, String id)
            throws InterruptedException {
        long startNs = System.nanoTime();
        List<ReleaseGates.Result> results = new ArrayList<>();
        String action = "restart on " + to.version();
        try {
            if (handOverTo.isPresent()) {
                ReplicaHandOver.Outcome handedOver = handOver.handOver(cluster, node, handOverTo, HAND_OVER_TIMEOUT_MS);
                out.println("  " + handedOver);
                action = "hand over to " + handedOver.toNode() + " (writes paused " + handedOver.writesPausedMs() + " ms), " + action;
            }
            restartOn(node, to.classPath(Build.Role.STORE));
            awaitCaughtUp(status, node);
            out.printf(Locale.ROOT, "  %s runs %s and caught up; soaking %d ms%n", node, to.version(), gates.soakMs());
            results.add(versionGate(status, node, to.version()));
            results.addAll(setGates(status));
            results.addAll(Soak.run(cluster, Optional.of(set), gates, cluster.dir().resolve("releases").resolve(id + "-step" + step + "-clients.log")));
        } catch (IOException e) {
            results.add(new ReleaseGates.Result("step", e.getMessage(), "no error", false));
        }
        if (step == gates.drillFailStep()) {
            results.add(new ReleaseGates.Result("drill", "forced to fail", "none", false));
        }
        boolean passed = results.stream().allMatch(ReleaseGates.Result::passed);
        return new ReleaseRecord.Step(step, node, action, results, passed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    /** Every moved replica back to the build it ran, last moved first; returns the outcome. */
    private String rollBack(ClusterStatus status, ReplicaHandOver handOver, Map<String, String> previousClassPath, Map<String, ReplicaStatus> before,
                            List<ReleaseRecord.Step> rollback, String outcome) throws InterruptedException {
        List<String> moved = new ArrayList<>(previousClassPath.keySet());
        for (int i = moved.size() - 1; i >= 0; i--) {
            String node = moved.get(i);
            long startNs = System.nanoTime();
            String version = before.get(node).getBuildVersion();
            List<ReleaseGates.Result> results = new ArrayList<>();
            try {
                if (status.query(cluster, node, STATUS_TIMEOUT_MS).isIn("PRIMARY")) {
                    String target = replicaNodes().stream().filter(n -> !n.equals(node) && !moved.subList(0, moved.indexOf(node)).contains(n))
                            .findFirst().orElseThrow();
                    out.println("  " + handOver.handOver(cluster, node, Optional.of(target), HAND_OVER_TIMEOUT_MS));
                }
                restartOn(node, previousClassPath.get(node));
                awaitCaughtUp(status, node);
                results.add(versionGate(status, node, version));
            } catch (IOException e) {
                results.add(new ReleaseGates.Result("step", e.getMessage(), "no error", false));
            }
            boolean passed = results.stream().allMatch(ReleaseGates.Result::passed);
            rollback.add(new ReleaseRecord.Step(rollback.size() + 1, node, "restart on " + version, results, passed,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)));
            out.println("  rolled back " + node + " to " + version + ": " + results);
            if (!passed) {
                return "failed: the rollback of " + node + " did not finish (" + results + "); " + outcome;
            }
        }
        return outcome;
    }

    // ------------------------------------------------------------------ the pieces of a step

    private void restartOn(String node, String classPath) throws IOException, InterruptedException {
        Soak.restartOn(cluster, node, classPath);
    }

    /** Until the replica answers, may vote, and lags at most the limit, while its SET has a primary holding the lease. */
    private void awaitCaughtUp(ClusterStatus status, String node) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(gates.catchUpTimeoutMs());
        String last = "";
        while (System.nanoTime() - deadlineNs < 0) {
            Map<String, ReplicaStatus> now = replicasAnswering(status);
            Optional<ReplicaStatus> primary = now.values().stream().filter(r -> r.getRole().equals("PRIMARY") && r.getLeaseValid()).findFirst();
            ReplicaStatus replica = now.get(node);
            if (replica != null && primary.isPresent() && !replica.getCatchingUp() && replica.getStopReason().isEmpty()
                    && primary.get().getCommitIndex() - replica.getAppliedIndex() <= gates.lagEntriesMax()) {
                return;
            }
            last = replica == null ? "no answer" : replica.getRole() + " applied " + replica.getAppliedIndex()
                    + primary.map(p -> " of " + p.getCommitIndex()).orElse(", no primary") + (replica.getCatchingUp() ? ", catching up" : "");
            Thread.sleep(POLL_MS); // a restarted replica catches up at its own pace; bounded by the deadline
        }
        throw new IOException(node + " did not catch up within " + gates.catchUpTimeoutMs() + " ms (last: " + last + ")");
    }

    private ReleaseGates.Result versionGate(ClusterStatus status, String node, String version) {
        String reported = status.query(cluster, node, STATUS_TIMEOUT_MS).status().map(ReplicaStatus::getBuildVersion).orElse("no answer");
        return new ReleaseGates.Result("version", reported, version, reported.equals(version));
    }

    /** The SET has a primary holding its lease, and no replica lags more than the limit. */
    private List<ReleaseGates.Result> setGates(ClusterStatus status) {
        Map<String, ReplicaStatus> now = replicasAnswering(status);
        Optional<ReplicaStatus> primary = now.values().stream().filter(r -> r.getRole().equals("PRIMARY") && r.getLeaseValid()).findFirst();
        long lag = primary.isEmpty() || now.size() < replicaNodes().size() ? Long.MAX_VALUE
                : now.values().stream().mapToLong(r -> primary.get().getCommitIndex() - r.getAppliedIndex()).max().orElse(0);
        return List.of(
                new ReleaseGates.Result("primary", primary.map(p -> "r" + p.getReplicaIndex() + " epoch " + p.getEpoch()).orElse("none"), "one", primary.isPresent()),
                new ReleaseGates.Result("lag", lag == Long.MAX_VALUE ? "unknown (" + now.size() + " of 3 answer)" : Long.toString(lag),
                        Long.toString(gates.lagEntriesMax()), lag <= gates.lagEntriesMax()));
    }

    // ------------------------------------------------------------------ the SET

    private List<String> replicaNodes() {
        return cluster.storeNodes().stream().filter(node -> node.startsWith(set + "-r")).toList();
    }

    private Map<String, ReplicaStatus> replicasAnswering(ClusterStatus status) {
        Map<String, ReplicaStatus> answering = new LinkedHashMap<>();
        Map<String, ReplicaState> all = status.query(cluster, STATUS_TIMEOUT_MS);
        for (String node : replicaNodes()) {
            all.get(node).status().ifPresent(replica -> answering.put(node, replica));
        }
        return answering;
    }

    /** Every replica of the SET, answering, none catching up, one the primary holding its lease. */
    private Map<String, ReplicaStatus> replicas(ClusterStatus status) throws IOException {
        if (replicaNodes().isEmpty()) {
            throw new IOException("the cluster in " + cluster.dir() + " has no SET " + set);
        }
        Map<String, ReplicaStatus> now = replicasAnswering(status);
        if (now.size() < replicaNodes().size()) {
            throw new IOException("preflight: not every replica of SET " + set + " answers (" + now.keySet() + " do): release a healthy SET only");
        }
        if (now.values().stream().noneMatch(r -> r.getRole().equals("PRIMARY") && r.getLeaseValid())) {
            throw new IOException("preflight: SET " + set + " has no primary holding its lease");
        }
        for (Map.Entry<String, ReplicaStatus> replica : now.entrySet()) {
            if (replica.getValue().getCatchingUp() || !replica.getValue().getStopReason().isEmpty()) {
                throw new IOException("preflight: " + replica.getKey() + " is catching up or stopped");
            }
        }
        return now;
    }

    /** Backups in replica order, the primary last. */
    private static List<String> order(Map<String, ReplicaStatus> replicas) {
        List<String> order = new ArrayList<>();
        replicas.forEach((node, replica) -> {
            if (!replica.getRole().equals("PRIMARY")) {
                order.add(node);
            }
        });
        replicas.forEach((node, replica) -> {
            if (replica.getRole().equals("PRIMARY")) {
                order.add(node);
            }
        });
        return order;
    }

    private ReleaseRecord record(String id, List<String> from, Instant started, List<ReleaseRecord.Step> steps, List<ReleaseRecord.Step> rollback,
                                 String outcome) {
        return new ReleaseRecord(id, who, "SET " + set, from, to.toString(), started.toString(), Instant.now().toString(), List.copyOf(steps),
                List.copyOf(rollback), outcome);
    }

    static String id(Instant started, String what) {
        return ID_TIME.format(started) + "-" + what;
    }
}

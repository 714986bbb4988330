package io.synkit.ops.scenario;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.PeerLinks;
import io.synkit.sim.run.LoadRun;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a scenario's faults into actions on a local cluster of processes, at their offsets in the
 * run. A node given by role ({@code primary:s1}, {@code backup:s1}) is resolved when the fault
 * fires, so "kill the primary" hits whoever is primary then.
 */
final class FaultSchedule {

    private final LocalCluster cluster;
    private final PeerLinks peerLinks;
    private final PrintStream out;

    /** @param peerLinks the cuttable links between replicas; null when the scenario has no partition */
    FaultSchedule(LocalCluster cluster, PeerLinks peerLinks, PrintStream out) {
        this.cluster = cluster;
        this.peerLinks = peerLinks;
        this.out = out;
    }

    void apply(List<Scenario.FaultSpec> faults, LoadRun run) {
        for (Scenario.FaultSpec fault : faults) {
            long atMs = (long) (fault.atS() * 1000);
            long restoreMs = (long) (fault.restoreAfterS() * 1000);
            String label = fault.action() + " " + (fault.node() == null ? "" : fault.node());
            run.at(atMs, label, () -> {
                try {
                    fire(fault.action(), fault.node(), restoreMs);
                } catch (Exception e) {
                    throw new IllegalStateException("fault '" + label + "' failed", e);
                }
            });
        }
    }

    private void fire(String action, String nodeSpec, long restoreMs) throws Exception {
        if (action.equals("rolling-restart")) {
            rollingRestart(restoreMs);
            return;
        }
        String node = resolve(nodeSpec);
        out.println("fault: " + action + " " + node + (nodeSpec.equals(node) ? "" : " (" + nodeSpec + ")"));
        switch (action) {
            case "kill" -> {
                cluster.kill(node);
                Thread.sleep(restoreMs); // this fault's own thread: the node stays down for restore_after_s
                cluster.start(node);
                out.println("fault: restarted " + node);
            }
            case "pause" -> {
                cluster.pause(node);
                Thread.sleep(restoreMs);
                cluster.resume(node);
                out.println("fault: resumed " + node);
            }
            case "restart" -> {
                cluster.kill(node);
                cluster.start(node);
            }
            case "wipe" -> cluster.wipe(node); // the node rejoins empty and catches up from a checkpoint
            case "partition" -> {
                peerLinks.isolate(node);
                Thread.sleep(restoreMs); // this fault's own thread: the partition lasts restore_after_s
                peerLinks.heal(node);
                out.println("fault: healed partition of " + node);
            }
            default -> throw new IllegalArgumentException("unknown fault action " + action);
        }
    }

    /** Every process once, one at a time: each SET's backups, then its primary (the meta SET first); then logic; then access. */
    private void rollingRestart(long gapMs) throws Exception {
        List<String> order = new ArrayList<>();
        List<String> sets = new ArrayList<>(List.of(LocalCluster.META_SET));
        for (int set = 1; set <= cluster.setCount(); set++) {
            sets.add("s" + set);
        }
        try (ClusterStatus status = new ClusterStatus()) {
            for (String set : sets) {
                String primary = status.nodeInRole(cluster, set, "PRIMARY");
                for (int r = 0; r < 3; r++) {
                    String node = set + "-r" + r;
                    if (!node.equals(primary)) {
                        order.add(node);
                    }
                }
                order.add(primary);
            }
        }
        order.add("logic");
        order.addAll(cluster.accessNodes());
        for (String node : order) {
            out.println("fault: rolling restart " + node);
            cluster.kill(node);
            cluster.start(node);
            Thread.sleep(gapMs); // the gap between restarts of a rolling restart
        }
    }

    private String resolve(String nodeSpec) {
        if (nodeSpec.startsWith("primary:") || nodeSpec.startsWith("backup:")) {
            String[] parts = nodeSpec.split(":", 2);
            try (ClusterStatus status = new ClusterStatus()) {
                return status.nodeInRole(cluster, parts[1], parts[0].toUpperCase());
            }
        }
        return nodeSpec;
    }
}

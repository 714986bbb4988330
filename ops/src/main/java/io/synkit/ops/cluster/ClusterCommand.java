package io.synkit.ops.cluster;

import io.synkit.protocol.slot.SlotMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ops cluster up|down|status|node|slots}: a local cluster of real processes. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "A local multi-process cluster: SETs of 3 store replicas, logic, access.",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class, ClusterCommand.Node.class,
                ClusterCommand.Slots.class})
public final class ClusterCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start SETs x 3 store processes, a logic and an access process.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "Cluster directory (topology, data, logs, pids)")
        Path dir;

        @Option(names = "--sets", defaultValue = "3", description = "Store SETs (default ${DEFAULT-VALUE})")
        int sets;

        @Option(names = "--base-port", defaultValue = "7300", description = "First port (default ${DEFAULT-VALUE})")
        int basePort;

        @Option(names = "--access-nodes", defaultValue = "1",
                description = "Access nodes (default ${DEFAULT-VALUE}); each process holds < 20,000 connections")
        int accessNodes;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster;
            try {
                cluster = LocalCluster.up(dir, sets, basePort, List.of(), LocalCluster.PeerAddressing.DIRECT, accessNodes);
            } catch (IOException e) {
                System.err.println("cluster up failed: " + e.getMessage());
                return 1;
            }
            cluster.keepRunningAfterExit();
            System.out.println("cluster up in " + dir + ": " + sets + " SETs x 3 replicas; clients connect to " + cluster.accessClients());
            System.out.println("status: ops cluster status --dir " + dir);
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop every process (SIGTERM, then SIGKILL after 15 s).")
    static final class Down implements Callable<Integer> {
        @Option(names = "--dir", required = true)
        Path dir;

        @Override
        public Integer call() throws Exception {
            LocalCluster.open(dir).down();
            System.out.println("cluster down: " + dir);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Each replica's role, epoch, commit index, lag behind its primary and build; each logic and access node's state and build.")
    static final class Status implements Callable<Integer> {
        /** All replicas are asked at once; a fresh JVM's first call alone took up to 6 s on a loaded 2-core box. */
        private static final long TIMEOUT_MS = 10_000;

        @Option(names = "--dir", required = true)
        Path dir;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = LocalCluster.open(dir);
            try (ClusterStatus status = new ClusterStatus()) {
                ClusterStatus.format(status.query(cluster, TIMEOUT_MS)).forEach(System.out::println);
            }
            List<ServerStatus> servers = ServerStatus.query(cluster, (int) TIMEOUT_MS);
            if (!servers.isEmpty()) {
                System.out.println();
                ServerStatus.format(servers).forEach(System.out::println);
            }
            return 0;
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true, description = "Fault injection on one node: kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT), restart, wipe (a store replica loses its disk and rejoins empty); handover (a store primary hands its role to its most up-to-date backup).")
    static final class Node implements Callable<Integer> {
        /** The replica gives up after the minimum election timeout; this leaves the new primary time to commit its first entry. */
        private static final long HAND_OVER_TIMEOUT_MS = 10_000;

        @Option(names = "--dir", required = true)
        Path dir;

        @Parameters(index = "0", description = "kill | pause | resume | restart | wipe | handover")
        String action;

        @Parameters(index = "1", description = "Node name: s<set>-r<replica>, meta-r<replica>, logic or access")
        String node;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = LocalCluster.open(dir);
            if (!Files.exists(dir.resolve(node + ".args"))) {
                System.err.println("no node '" + node + "' in " + dir + ": use s<set>-r<replica>, meta-r<replica>, logic or access");
                return 2;
            }
            try {
                switch (action) {
                    case "kill" -> {
                        if (cluster.process(node).isEmpty()) {
                            System.err.println("kill " + node + ": no process of this cluster runs for it");
                            return 1;
                        }
                        cluster.kill(node);
                    }
                    case "pause" -> cluster.pause(node);
                    case "resume" -> cluster.resume(node);
                    case "wipe" -> cluster.wipe(node);
                    case "handover" -> {
                        try (ReplicaHandOver handOver = new ReplicaHandOver()) {
                            System.out.println(handOver.handOver(cluster, node, Optional.empty(), HAND_OVER_TIMEOUT_MS));
                        }
                    }
                    case "restart" -> {
                        cluster.kill(node);
                        cluster.start(node);
                    }
                    default -> {
                        System.err.println("unknown action '" + action + "': use kill, pause, resume, restart, wipe or handover");
                        return 2;
                    }
                }
            } catch (IOException e) {
                System.err.println(action + " " + node + " failed: " + e.getMessage());
                return 1;
            }
            System.out.println(action + " " + node + ": done");
            return 0;
        }
    }

    @Command(name = "slots", mixinStandardHelpOptions = true,
            description = "Show the slot map the meta SET holds; with --move, give slots to another SET as a new map version.")
    static final class Slots implements Callable<Integer> {
        @Option(names = "--dir", required = true)
        Path dir;

        @Option(names = "--move", description = "Slot range to reassign, e.g. 0-99 (moves ownership only: data is not copied; use on slots without data)")
        String move;

        @Option(names = "--to", description = "SET id that gets the --move slots")
        String to;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = LocalCluster.open(dir);
            List<String> running = cluster.runningMetaReplicas();
            if (running.isEmpty()) {
                System.err.println("no meta replica of the cluster in " + dir + " is running");
                return 1;
            }
            try (SlotMapAdmin admin = new SlotMapAdmin(running)) {
                SlotMap map = admin.read().orElse(null);
                if (map == null) {
                    System.err.println("the meta SET holds no slot map yet");
                    return 1;
                }
                if (move != null) {
                    if (to == null || !move.matches("\\d+-\\d+")) {
                        System.err.println("--move needs a range like 0-99 and --to <set id>");
                        return 2;
                    }
                    String[] range = move.split("-");
                    SlotMap next;
                    try {
                        next = map.reassign(Integer.parseInt(range[0]), Integer.parseInt(range[1]), to);
                    } catch (IllegalArgumentException e) {
                        System.err.println(e.getMessage());
                        return 2;
                    }
                    map = admin.put(map.version(), next, 10_000);
                }
                System.out.println("slot map version " + map.version() + ", " + map.slotCount() + " slots");
                map.describe().forEach(System.out::println);
            }
            return 0;
        }
    }
}

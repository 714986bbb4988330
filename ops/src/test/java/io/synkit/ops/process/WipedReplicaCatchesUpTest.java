package io.synkit.ops.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.ReplicaState;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One SET of 3 real store-server processes whose logs are truncated every half second, under
 * client load. Each replica in turn loses its disk (SIGKILL, data directory deleted, restarted
 * empty as a joining replica), and the next replica is wiped only once the previous one reports
 * it caught up (one fault step does all three in order, so they never overlap). A wiped replica restarts only once the logs of the other two no longer hold entry
 * 1 (their {@code first_index} in status), so whichever is primary must ship it a RocksDB
 * checkpoint: it cannot catch up from the log, however slow the machine. After the third wipe
 * every byte of state has travelled through snapshots, and every acknowledged message must still
 * reach every device exactly once, in order.
 */
class WipedReplicaCatchesUpTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 7L);
    private static final int SECONDS = Integer.getInteger("synkit.wipe.seconds", 24);
    private static final long CATCH_UP_TIMEOUT_MS = 30_000;
    private static final long TRUNCATION_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void eachReplicaInTurnLosesItsDiskAndCatchesUpFromACheckpoint() throws Exception {
        System.out.println("seed=" + SEED + " seconds=" + SECONDS + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        LocalCluster cluster = LocalCluster.up(dir, 1, FreePorts.base(20),
                // Small log files: truncation drops whole files, and with one 64 MiB file a primary under load behind a
                // wiped backup dropped nothing until a compaction happened to run before the next write (a race it lost
                // on a busy machine: entry 1 stayed for 30 s).
                List.of("--store.log.retain.entries=0", "--store.log.lag.entries.max=20", "--store.log.compact.interval.ms=500",
                        "--store.log.segment.bytes.max=65536"));
        FaultActions faults = new FaultActions();
        try (ClusterStatus status = new ClusterStatus()) {
            status.awaitPrimaries(cluster, 60_000);
            String firstBackup = status.nodeInRole(cluster, "s1", "BACKUP");
            // One step does the three wipes in order: each waits for the previous replica to catch up,
            // however long that takes on a busy machine, so two replicas are never without their data
            // at once (steps at fixed offsets overlapped when a catch-up outlasted the gap between them).
            LoadRun run = ClusterLoad.uniform(cluster, SECONDS, SEED)
                    .at(SECONDS * 1000L / 8, faults.step(() -> {
                        System.out.println("fault: wipe backup " + firstBackup);
                        wipe(status, cluster, firstBackup);
                        awaitCaughtUp(status, cluster, firstBackup);
                        String other = otherBackup(status, cluster, firstBackup);
                        System.out.println("fault: wipe backup " + other);
                        wipe(status, cluster, other);
                        for (String node : cluster.storeNodes()) {
                            awaitCaughtUp(status, cluster, node);
                        }
                        String primary = status.nodeInRole(cluster, "s1", "PRIMARY");
                        System.out.println("fault: wipe primary " + primary);
                        wipe(status, cluster, primary);
                    }, "wipe each replica in turn, the next once the previous caught up"));

            RunReport report = run.run();
            faults.assertNoneFailed();

            for (String node : cluster.storeNodes()) {
                awaitCaughtUp(status, cluster, node);
            }
            ClusterStatus.format(status.query(cluster, 1000)).forEach(System.out::println);
            ClusterLoad.assertNothingLostDuplicatedOrReordered(report);
            assertTrue(report.check().acked() >= SECONDS * (long) ClusterLoad.MESSAGES_PER_SECOND * 8 / 10, "most messages were sent: " + report.resultLine());
            long installs = 0;
            for (String node : cluster.storeNodes()) {
                installs += Files.readAllLines(dir.resolve("logs").resolve(node + ".log")).stream().filter(line -> line.contains("snapshot installed")).count();
            }
            assertTrue(installs >= 3, "each wiped replica installed a snapshot (installs=" + installs + ")");
        } finally {
            cluster.down();
            FaultActions.dumpLogs(dir);
        }
    }

    /** Wipes {@code node}, restarting it only once no other replica's log holds entry 1 (see the class comment). */
    private static void wipe(ClusterStatus status, LocalCluster cluster, String node) throws Exception {
        cluster.loseDisk(node);
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRUNCATION_TIMEOUT_MS);
        while (!othersTruncated(status.query(cluster, 1000), node)) {
            if (System.nanoTime() > deadlineNs) {
                ClusterStatus.format(status.query(cluster, 1000)).forEach(System.out::println);
                throw new IllegalStateException("the other replicas' logs still hold entry 1 after " + TRUNCATION_TIMEOUT_MS + " ms");
            }
            Thread.sleep(100); // the primary truncates every 500 ms under the load; bounded by the deadline
        }
        cluster.startJoining(node);
    }

    private static boolean othersTruncated(Map<String, ReplicaState> byNode, String wiped) {
        return byNode.entrySet().stream().filter(entry -> entry.getKey().startsWith("s1-") && !entry.getKey().equals(wiped))
                .allMatch(entry -> entry.getValue().status().map(status -> status.getFirstIndex() > 1).orElse(false));
    }

    private static void awaitCaughtUp(ClusterStatus status, LocalCluster cluster, String node) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_TIMEOUT_MS);
        while (!status.caughtUp(cluster, node)) {
            if (System.nanoTime() > deadlineNs) {
                ClusterStatus.format(status.query(cluster, 1000)).forEach(System.out::println);
                throw new IllegalStateException(node + " did not catch up within " + CATCH_UP_TIMEOUT_MS + " ms");
            }
            Thread.sleep(100);
        }
    }

    private static String otherBackup(ClusterStatus status, LocalCluster cluster, String not) {
        String primary = status.nodeInRole(cluster, "s1", "PRIMARY");
        return cluster.storeNodes().stream().filter(node -> node.startsWith("s1-") && !node.equals(not) && !node.equals(primary))
                .findFirst().orElseThrow();
    }
}

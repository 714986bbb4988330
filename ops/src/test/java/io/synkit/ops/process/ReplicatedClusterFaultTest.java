package io.synkit.ops.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.PeerLinks;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.RunReport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 3 SETs of 3 real store-server processes, a logic and an access process, simulated devices
 * sending all along, and process faults: the primary of SET 1 SIGKILLed and restarted, the
 * primary of SET 2 SIGSTOPped past its lease and election timeout and then resumed (a zombie that
 * must not ack or serve anything), a backup of SET 3 restarted, and then the primary of SET 1
 * cut off from its backups for 3 s while clients still reach it. Every acknowledged message must
 * reach every device exactly once, in order. {@code -Dsynkit.fault.seconds=N} runs longer.
 */
class ReplicatedClusterFaultTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 42L);
    private static final int SECONDS = Integer.getInteger("synkit.fault.seconds", 20);

    @TempDir
    Path dir;

    @Test
    void acknowledgedMessagesSurvivePrimaryKillZombiePrimaryAndBackupRestart() throws Exception {
        System.out.println("seed=" + SEED + " seconds=" + SECONDS + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        PeerLinks peerLinks = new PeerLinks();
        LocalCluster cluster = LocalCluster.up(dir, 3, FreePorts.base(40), List.of(), peerLinks);
        FaultActions faults = new FaultActions();
        try (peerLinks; ClusterStatus status = new ClusterStatus()) {
            status.awaitPrimaries(cluster, 60_000);
            String killed = status.nodeInRole(cluster, "s1", "PRIMARY");
            String paused = status.nodeInRole(cluster, "s2", "PRIMARY");
            String restartedBackup = status.nodeInRole(cluster, "s3", "BACKUP");
            long unit = SECONDS * 1000L / 20;
            LoadRun run = ClusterLoad.uniform(cluster, SECONDS, SEED)
                    .at(3 * unit, faults.step(() -> cluster.kill(killed), "SIGKILL primary " + killed))
                    .at(6 * unit, faults.step(() -> cluster.start(killed), "restart " + killed))
                    .at(8 * unit, faults.step(() -> cluster.pause(paused), "SIGSTOP primary " + paused))
                    .at(8 * unit + 4000, faults.step(() -> cluster.resume(paused), "SIGCONT zombie " + paused))
                    .at(14 * unit, faults.step(() -> {
                        cluster.kill(restartedBackup);
                        cluster.start(restartedBackup);
                    }, "restart backup " + restartedBackup))
                    .at(16 * unit, faults.step(() -> {
                        String isolated = status.nodeInRole(cluster, "s1", "PRIMARY");
                        System.out.println("fault: partition primary " + isolated + " from its backups for 3 s");
                        peerLinks.isolate(isolated);
                        Thread.sleep(3000); // the partition lasts 3 s, past the lease and an election timeout
                        peerLinks.heal(isolated);
                    }, "partition the primary of s1"));

            RunReport report = run.run();
            faults.assertNoneFailed();

            ClusterStatus.format(status.query(cluster, 1000)).forEach(System.out::println);
            assertEquals(report.check().sent(), report.check().acked() + report.check().failed(), report.resultLine());
            ClusterLoad.assertNothingLostDuplicatedOrReordered(report);
            assertTrue(report.check().acked() >= SECONDS * (long) ClusterLoad.MESSAGES_PER_SECOND * 9 / 10, "most messages were sent: " + report.resultLine());
        } finally {
            cluster.down();
            FaultActions.dumpLogs(dir);
        }
    }
}

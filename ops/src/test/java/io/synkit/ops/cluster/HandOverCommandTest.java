package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.internal.ReplicaStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ops cluster node handover}: a real primary hands its role to a backup, which holds a
 * lease in the next epoch sooner than the minimum election timeout (1,000 ms) would allow an
 * election to: no replica waited out a timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandOverCommandTest {

    private static final Pattern OUTCOME = Pattern.compile("(s1-r\\d) handed over to (s1-r\\d), primary in epoch (\\d+) after (\\d+) ms");

    @TempDir
    static Path dir;

    private LocalCluster cluster;
    private ClusterStatus status;

    @BeforeAll
    void up() throws Exception {
        cluster = LocalCluster.upSingleSet(dir, FreePorts.base(6), List.of());
        status = new ClusterStatus();
    }

    @AfterAll
    void down() throws Exception {
        status.close();
        cluster.down();
        Leftovers.kill(dir);
    }

    @Test
    void aPrimaryHandsOverToABackupWithoutAnElectionTimeout() throws Exception {
        status.awaitPrimaries(cluster, 60_000);
        String primary = status.nodeInRole(cluster, "s1", "PRIMARY");
        long epoch = status.query(cluster, primary, 5000).status().map(ReplicaStatus::getEpoch).orElseThrow();

        CapturedCli handOver = CapturedCli.run("cluster", "node", "--dir", dir.toString(), "handover", primary);

        System.out.println(handOver.out().trim());
        assertEquals(0, handOver.exitCode(), handOver.out() + handOver.err());
        Matcher outcome = OUTCOME.matcher(handOver.out());
        assertTrue(outcome.find(), handOver.out());
        assertEquals(primary, outcome.group(1));
        String newPrimary = outcome.group(2);
        assertNotEquals(primary, newPrimary);
        assertEquals(epoch + 1, Long.parseLong(outcome.group(3)), "one epoch: the hand-over's, no election after it");
        assertTrue(Long.parseLong(outcome.group(4)) < 1000, "writes paused for less than an election timeout: " + outcome.group(4) + " ms");
        assertEquals(newPrimary, status.nodeInRole(cluster, "s1", "PRIMARY"));
        assertTrue(status.query(cluster, primary, 5000).isIn("BACKUP"), "the old primary serves on as a backup");
    }

    @Test
    void aPrimaryStoppedWithSigtermHandsOverBeforeItExits() throws Exception {
        status.awaitPrimaries(cluster, 60_000);
        String primary = status.nodeInRole(cluster, "s1", "PRIMARY");
        long epoch = status.query(cluster, primary, 5000).status().map(ReplicaStatus::getEpoch).orElseThrow();

        cluster.stop(primary);

        status.awaitPrimaries(cluster, 10_000);
        String newPrimary = status.nodeInRole(cluster, "s1", "PRIMARY");
        assertEquals(epoch + 1, status.query(cluster, newPrimary, 5000).status().orElseThrow().getEpoch(),
                "one epoch: the hand-over's, no election after a timeout");
        assertTrue(Files.readString(dir.resolve("logs").resolve(primary + ".log")).contains("stopping primary handed over set=s1"));
        cluster.start(primary);
    }

    @Test
    void aBackupRefusesToHandOverAndSaysWhy() throws Exception {
        status.awaitPrimaries(cluster, 60_000);
        String backup = status.nodeInRole(cluster, "s1", "BACKUP");

        CapturedCli handOver = CapturedCli.run("cluster", "node", "--dir", dir.toString(), "handover", backup);

        assertEquals(1, handOver.exitCode(), handOver.out() + handOver.err());
        assertTrue(handOver.err().contains("handover " + backup + " failed: refused: UNAVAILABLE: replica "), handOver.err());
        assertTrue(handOver.err().contains("is BACKUP in epoch"), handOver.err());
    }
}

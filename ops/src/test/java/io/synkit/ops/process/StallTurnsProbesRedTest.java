package io.synkit.ops.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.ops.cluster.LocalCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stall on real processes: a SET's primary is paused and one backup killed, so the
 * SET has no quorum. Before, the surviving replica and logic answered ready at every poll for the
 * whole 36 s and only {@code ops cluster status} showed it; now within seconds (grace 3 s, probe
 * every 1 s) the surviving replica's probe is red naming why, and logic names the SET in
 * {@code /status} and {@code synkit_logic_set_primary_reachable{set="s1"} 0} (with its only data
 * SET gone it reaches no primary, so its own probe is red too). Resuming the primary and
 * restarting the backup turns everything green again.
 */
class StallTurnsProbesRedTest {

    private static final long RED_WITHIN_MS = 10_000;
    private static final long POLL_MS = 200;

    @TempDir
    Path dir;

    @Test
    void aSetWithoutQuorumTurnsItsReplicasAndLogicRedWithinSeconds() throws Exception {
        LocalCluster cluster = LocalCluster.up(dir, 1, FreePorts.base(20), List.of());
        try (ClusterStatus status = new ClusterStatus()) {
            status.awaitPrimaries(cluster, 60_000);
            String logicAdmin = cluster.adminAddress("logic").orElseThrow();
            awaitWithin(60_000, () -> AdminHttp.get(logicAdmin, "/health/ready", 2000), ready -> ready.code() == 200, "logic ready");
            String primary = status.nodeInRole(cluster, "s1", "PRIMARY");
            String killed = status.nodeInRole(cluster, "s1", "BACKUP");
            String survivor = List.of("s1-r0", "s1-r1", "s1-r2").stream().filter(n -> !n.equals(primary) && !n.equals(killed)).findFirst().orElseThrow();
            String survivorAdmin = cluster.adminAddress(survivor).orElseThrow();
            // A backup's probe turns green on its own schedule (probe every second; a backup is not ready
            // until it applied an entry of the epoch from the primary): the fault must come after it.
            awaitWithin(60_000, () -> AdminHttp.get(survivorAdmin, "/health/ready", 2000), ready -> ready.code() == 200, "the survivor ready before the fault");

            cluster.pause(primary);
            cluster.kill(killed);
            long faultNs = System.nanoTime();

            AdminHttp survivorReady = awaitWithin(RED_WITHIN_MS, () -> AdminHttp.get(survivorAdmin, "/health/ready", 2000),
                    ready -> ready.code() == 503, "the surviving replica's probe turns red");
            AdminHttp logicStatus = awaitWithin(RED_WITHIN_MS, () -> AdminHttp.get(logicAdmin, "/status", 2000),
                    line -> line.body().contains("sets_without_primary=s1"), "logic names the SET");
            long redMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - faultNs);
            System.out.println("red after " + redMs + " ms: " + survivor + " " + survivorReady.body().trim() + " | logic " + logicStatus.body().trim());
            assertTrue(survivorReady.body().contains("heard no primary for"), survivorReady.body());
            assertTrue(AdminHttp.get(logicAdmin, "/metrics", 2000).body().contains("synkit_logic_set_primary_reachable{set=\"s1\"} 0"));
            assertEquals(503, AdminHttp.get(logicAdmin, "/health/ready", 2000).code(), "logic reaches no data SET's primary");

            cluster.resume(primary);
            cluster.start(killed);
            awaitWithin(60_000, () -> AdminHttp.get(survivorAdmin, "/health/ready", 2000), ready -> ready.code() == 200, "the survivor green again");
            awaitWithin(60_000, () -> AdminHttp.get(logicAdmin, "/health/ready", 2000), ready -> ready.code() == 200, "logic green again");
        } finally {
            cluster.down();
        }
    }

    /** Polls until the answer matches, at most {@code timeoutMs}: processes change state on their own schedule. */
    private static <T> T awaitWithin(long timeoutMs, java.util.function.Supplier<T> poll, Predicate<T> done, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        T last = poll.get();
        while (!done.test(last)) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new AssertionError(what + ": not within " + timeoutMs + " ms; last answer " + last);
            }
            Thread.sleep(POLL_MS); // bounded by the deadline
            last = poll.get();
        }
        return last;
    }
}

package io.synkit.ops.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.ClusterStatus;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.ops.cluster.ServerStatus;
import io.synkit.ops.release.Build;
import io.synkit.ops.release.NodesRelease;
import io.synkit.ops.release.ReleaseGates;
import io.synkit.ops.release.ReleaseRecord;
import io.synkit.ops.release.ReleaseRecords;
import io.synkit.ops.release.SetRelease;
import io.synkit.runtime.BuildInfo;
import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gray release under load (issue 19): simulated clients send through a local cluster of 2 SETs
 * while SET s1 moves to a new build (backups, a hand-over, the old primary; gates after each step)
 * and SET s2 is released with its first step's gates failing on purpose and rolls back; then the
 * access node moves to the new build (it drains, its clients reconnect). The new
 * build is this worktree's packaged jars with another version written into them, so the table
 * shows mixed versions. The clients must find nothing lost, duplicated or reordered and no send
 * failed beyond retries. Short in CI (soak 2 s); {@code -Dsynkit.release.soak.s=20
 * -Dsynkit.release.seconds=240} is the long run (docs/operations.md §10).
 */
class ReleaseUnderLoadTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 19L);
    private static final long SOAK_S = Long.getLong("synkit.release.soak.s", 2L);
    private static final int SECONDS = Integer.getInteger("synkit.release.seconds", 60);

    @TempDir
    Path dir;

    @Test
    void aSetIsReleasedAndAnotherRolledBackWhileClientsLoseNothing() throws Exception {
        System.out.println("seed=" + SEED + " soak_s=" + SOAK_S + " seconds=" + SECONDS + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        Build next = Build.of(NextBuild.jars(dir.resolve("build-next"), BuildInfo.current().version() + "-next"));
        String old = BuildInfo.current().version();
        LocalCluster cluster = LocalCluster.up(dir.resolve("cluster"), 2, FreePorts.base(23), List.of());
        AtomicReference<ReleaseRecord> released = new AtomicReference<>();
        AtomicReference<ReleaseRecord> rolledBack = new AtomicReference<>();
        AtomicReference<ReleaseRecord> accessReleased = new AtomicReference<>();
        AtomicReference<Throwable> releaseFailure = new AtomicReference<>();
        try (ClusterStatus status = new ClusterStatus()) {
            status.awaitPrimaries(cluster, 60_000);
            ReleaseGates gates = new ReleaseGates(SOAK_S * 1000, 60_000, 1000, 0.01, 10_000, 10, 0);
            RunReport report = ClusterLoad.uniform(cluster, SECONDS, SEED).at(2000, "release s1, then s2 with a failing gate", () -> {
                try {
                    assertEquals(Optional.empty(), new SetRelease(cluster, "s1", next, gates, System.out, "release-test").run(true), "a dry run");
                    released.set(new SetRelease(cluster, "s1", next, gates, System.out, "release-test").run(false).orElseThrow());
                    ReleaseGates drill = new ReleaseGates(gates.soakMs(), gates.catchUpTimeoutMs(), gates.lagEntriesMax(), gates.errorRateMax(),
                            gates.p99MsMax(), gates.canaryMessagesPerSecond(), 1);
                    rolledBack.set(new SetRelease(cluster, "s2", next, drill, System.out, "release-test").run(false).orElseThrow());
                    accessReleased.set(new NodesRelease(cluster, Build.Role.ACCESS, next, gates, System.out, "release-test").run(false).orElseThrow());
                } catch (IOException | InterruptedException | RuntimeException e) {
                    releaseFailure.set(e);
                }
            }).run();

            assertEquals(null, releaseFailure.get(), "the releases ran");
            Map<String, String> versions = status.query(cluster, 5000).entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().status().orElseThrow().getBuildVersion()));
            System.out.println("versions after: " + versions);
            System.out.println("release record: " + Files.readString(dir.resolve("cluster").resolve("releases").resolve(released.get().id() + ".json")));
            System.out.println("ops release list:");
            new ReleaseRecords(dir.resolve("cluster")).table().forEach(System.out::println);
            assertEquals("released", released.get().outcome(), released.get().toString());
            assertEquals(List.of(next.version(), next.version(), next.version()), List.of(versions.get("s1-r0"), versions.get("s1-r1"), versions.get("s1-r2")));
            assertTrue(released.get().steps().get(2).action().startsWith("hand over to "), released.get().steps().get(2).action());
            assertTrue(rolledBack.get().outcome().startsWith("rolled back: drill failed at step 1"), rolledBack.get().outcome());
            assertEquals(1, rolledBack.get().rollback().size());
            assertEquals(List.of(old, old, old), List.of(versions.get("s2-r0"), versions.get("s2-r1"), versions.get("s2-r2")), "s2 is back on the old build");
            assertEquals("released", accessReleased.get().outcome(), accessReleased.get().toString());
            assertTrue(ServerStatus.query(cluster, 5000).stream().filter(n -> n.node().equals("access")).allMatch(n -> next.version().equals(n.pairs().get("version"))),
                    "the access node runs the new build");
            assertEquals(List.of(released.get().id(), rolledBack.get().id(), accessReleased.get().id()),
                    new ReleaseRecords(dir.resolve("cluster")).list().stream().map(ReleaseRecord::id).toList(), "ops release list shows both");
            ClusterLoad.assertNothingLostDuplicatedOrReordered(report);
        } finally {
            cluster.down();
        }
    }
}

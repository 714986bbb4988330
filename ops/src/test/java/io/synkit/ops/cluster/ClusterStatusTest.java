package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.BuildInfo;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ops cluster status} calls DOWN: a replica with no running process of this cluster,
 * whatever answers on its port; a running replica that answers late is NO_ANSWER (issue 15: a
 * live primary was shown DOWN because the first status call of a fresh JVM on a loaded box took
 * longer than its 1 s timeout). One SET of 3 replicas, shared: each test faults its own replica.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterStatusTest {

    @TempDir
    static Path dir;

    private LocalCluster cluster;
    private ClusterStatus status;

    @BeforeAll
    void up() throws Exception {
        cluster = LocalCluster.upSingleSet(dir, FreePorts.base(6), List.of());
        status = new ClusterStatus();
        status.awaitPrimaries(cluster, 60_000);
    }

    @AfterAll
    void down() throws Exception {
        status.close();
        cluster.down();
        Leftovers.kill(dir);
    }

    @Test
    void aKilledReplicaIsDownEvenWhenAnotherProcessAnswersAsPrimaryOnItsPort() throws Exception {
        // A backup, so the SET keeps its primary: the test asks which node is primary afterwards.
        status.awaitPrimaries(cluster, 60_000);
        String victim = status.nodeInRole(cluster, "s1", "BACKUP");
        cluster.kill(victim);
        InetSocketAddress port = RpcClientPool.parseAddress(cluster.storeRpc(victim));
        EventLoopGroup group = NettyThreads.group("foreign-store", 1);
        RpcServer foreign = new RpcServer("foreign-store", (payload, timeoutMs) -> CompletableFuture.completedFuture(StoreResponse.newBuilder()
                .setStatus(ReplicaStatus.newBuilder().setSetId("s1").setRole("PRIMARY").setEpoch(99).setLeaseValid(true)).build()), FrameLimits.internal());
        try {
            foreign.start(group, group, new InetSocketAddress(port.getHostString(), port.getPort()));

            Map<String, ReplicaState> byNode = status.query(cluster, 2000);

            assertEquals(ReplicaState.Reach.DOWN, byNode.get(victim).reach(), ClusterStatus.format(byNode).toString());
            status.awaitPrimaries(cluster, 60_000);
            assertNotEquals(victim, status.nodeInRole(cluster, "s1", "PRIMARY"));
        } finally {
            foreign.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aRunningReplicaThatDoesNotAnswerInTimeIsNoAnswerNotDown() throws Exception {
        String paused = runningReplica();
        cluster.pause(paused);
        try {
            Map<String, ReplicaState> byNode = status.query(cluster, 300);

            ReplicaState state = byNode.get(paused);
            assertEquals(ReplicaState.Reach.NO_ANSWER, state.reach(), ClusterStatus.format(byNode).toString());
            assertTrue(state.detail().contains("pid " + cluster.process(paused).orElseThrow().pid() + " runs"), state.detail());
            assertTrue(ClusterStatus.format(byNode).stream().anyMatch(line -> line.startsWith(paused) && line.contains("NO-ANSWER")));
        } finally {
            cluster.resume(paused);
        }
    }

    @Test
    void statusShowsTheBuildAndProtocolVersionEachReplicaRuns() throws Exception {
        String running = runningReplica();
        BuildInfo build = BuildInfo.current();

        ReplicaState state = status.query(cluster, running, 10_000);

        assertEquals(build.version(), state.status().orElseThrow().getBuildVersion());
        assertEquals(build.protocolVersion(), state.status().orElseThrow().getProtocolVersion());
        String line = ClusterStatus.format(Map.of(running, state)).get(1);
        assertTrue(line.contains(" " + build.version() + "/" + build.protocolVersion() + " "), line);
    }

    /** A replica whose process runs (the other test kills one; the order of tests is not fixed). */
    private String runningReplica() throws Exception {
        for (String node : List.of("s1-r0", "s1-r1", "s1-r2")) {
            if (cluster.process(node).isPresent()) {
                return node;
            }
        }
        throw new IllegalStateException("no replica of s1 runs");
    }
}

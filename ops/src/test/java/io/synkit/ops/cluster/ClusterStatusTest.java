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
        cluster.kill("s1-r2");
        InetSocketAddress port = RpcClientPool.parseAddress(cluster.storeRpc("s1-r2"));
        EventLoopGroup group = NettyThreads.group("foreign-store", 1);
        RpcServer foreign = new RpcServer("foreign-store", (payload, timeoutMs) -> CompletableFuture.completedFuture(StoreResponse.newBuilder()
                .setStatus(ReplicaStatus.newBuilder().setSetId("s1").setRole("PRIMARY").setEpoch(99).setLeaseValid(true)).build()), FrameLimits.internal());
        try {
            foreign.start(group, group, new InetSocketAddress(port.getHostString(), port.getPort()));

            Map<String, ReplicaState> byNode = status.query(cluster, 2000);

            assertEquals(ReplicaState.Reach.DOWN, byNode.get("s1-r2").reach(), ClusterStatus.format(byNode).toString());
            assertNotEquals("s1-r2", status.nodeInRole(cluster, "s1", "PRIMARY"));
        } finally {
            foreign.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aRunningReplicaThatDoesNotAnswerInTimeIsNoAnswerNotDown() throws Exception {
        cluster.pause("s1-r0");
        try {
            Map<String, ReplicaState> byNode = status.query(cluster, 300);

            ReplicaState paused = byNode.get("s1-r0");
            assertEquals(ReplicaState.Reach.NO_ANSWER, paused.reach(), ClusterStatus.format(byNode).toString());
            assertTrue(paused.detail().contains("pid " + cluster.process("s1-r0").orElseThrow().pid() + " runs"), paused.detail());
            assertTrue(ClusterStatus.format(byNode).stream().anyMatch(line -> line.startsWith("s1-r0") && line.contains("NO-ANSWER")));
        } finally {
            cluster.resume("s1-r0");
        }
    }
}

package io.synkit.logic.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.ManualClock;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A logic node's view of each SET's primary (the stall: one SET without a quorum while
 * every node answered ready): the SET is named within the grace, per SET in a gauge; the node
 * stays ready while it reaches another SET's primary, and is not ready once it reaches none.
 * Two SETs of one fake replica each, whose answer the test sets.
 */
class SetProbeTest {

    private static final long GRACE_MS = 3000;

    private final EventLoopGroup group = NettyThreads.group("set-probe-test", 1);
    private final RpcClientPool clients = new RpcClientPool(group, FrameLimits.internal(), 16);
    private final ManualClock clock = new ManualClock(1_000_000);
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String[] roles = {"PRIMARY", "PRIMARY"};
    private final RpcServer[] replicas = new RpcServer[2];
    private SetProbe probe;

    @BeforeEach
    void start() throws Exception {
        String[] addresses = new String[2];
        for (int s = 0; s < 2; s++) {
            int set = s;
            replicas[s] = new RpcServer("fake-s" + (s + 1), (payload, timeoutMs) -> CompletableFuture.completedFuture(StoreResponse.newBuilder()
                    .setStatus(ReplicaStatus.newBuilder().setSetId("s" + (set + 1)).setRole(roles[set]).setLeaseValid(roles[set].equals("PRIMARY")))
                    .build()), FrameLimits.internal());
            InetSocketAddress bound = replicas[s].start(group, group, new InetSocketAddress("127.0.0.1", 0));
            addresses[s] = "127.0.0.1:" + bound.getPort();
        }
        SlotMap map = SlotMap.parse(1, 16, "s1=" + addresses[0] + ",s2=" + addresses[1]);
        probe = new SetProbe(SlotMaps.fixed(map), clients, group, clock, metrics, 1000, GRACE_MS);
    }

    @AfterEach
    void stop() {
        for (RpcServer replica : replicas) {
            replica.close();
        }
        clients.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSetWithoutAPrimaryIsNamedWithinTheGraceWhileTheNodeStaysReady() {
        probe.probe().join();
        assertEquals(List.of(), probe.setsWithoutPrimary());
        assertTrue(metrics.scrape().contains("synkit_logic_set_primary_reachable{set=\"s2\"} 1"), metrics.scrape());

        roles[1] = "BACKUP"; // s2's primary is gone; its surviving replica answers as a backup
        clock.advanceMs(GRACE_MS / 2);
        probe.probe().join();
        assertEquals(List.of(), probe.setsWithoutPrimary(), "not before the grace: an election takes that long");
        clock.advanceMs(GRACE_MS / 2 + 1);
        probe.probe().join();

        assertEquals(List.of("s2"), probe.setsWithoutPrimary());
        assertTrue(metrics.scrape().contains("synkit_logic_set_primary_reachable{set=\"s2\"} 0"), metrics.scrape());
        assertTrue(metrics.scrape().contains("synkit_logic_set_primary_reachable{set=\"s1\"} 1"), metrics.scrape());
        assertNull(probe.notReadyReason(), "s1's users are still served here");

        roles[1] = "PRIMARY";
        probe.probe().join();
        assertEquals(List.of(), probe.setsWithoutPrimary(), "back as soon as a primary answers");
    }

    @Test
    void aNodeThatReachesNoSetsPrimaryIsNotReady() {
        probe.probe().join();
        replicas[0].close();
        roles[1] = "CANDIDATE";
        clock.advanceMs(GRACE_MS + 1);
        probe.probe().join();

        assertEquals("no SET's primary answered within 3000 ms (SETs s1,s2)", probe.notReadyReason());
    }
}

package io.synkit.logic.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Logic counts failed store calls per SET (issue 19: in the stall, three quarters of sends failed
 * and logic had no metric saying so): each failed attempt, and each call that failed for good
 * once its retries were spent, by SET and error code.
 */
class StoreCallFailuresTest {

    @Test
    void aCallThatFailsForGoodIsCountedOnceAndEachAttemptOnceUnderItsSet() throws Exception {
        EventLoopGroup group = NettyThreads.group("store-call-failures", 1);
        RpcClientPool clients = new RpcClientPool(group, FrameLimits.internal(), 16);
        RpcServer store = new RpcServer("unavailable-store",
                (payload, timeoutMs) -> CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "no quorum")), FrameLimits.internal());
        try {
            int port = store.start(group, group, new InetSocketAddress("127.0.0.1", 0)).getPort();
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            StoreClient client = new StoreClient(SlotMaps.fixed(SlotMap.parse(1, 16, "s2=127.0.0.1:" + port)), clients, group, new SplittableRandom(5),
                    // The store answers at once: an attempt timeout no busy box reaches keeps every attempt's code UNAVAILABLE.
                    new StoreRetryPolicy(3, 60_000, 1, 2), metrics);

            CompletionException failed = assertThrows(CompletionException.class, () -> client.forUser(42, StoreRequest.getDefaultInstance()).join());

            assertEquals(ErrorCode.UNAVAILABLE, RpcException.of(failed).error().getCode());
            assertEquals(3.0, metrics.counter("synkit.logic.store.attempts.failed", "set", "s2", "code", "UNAVAILABLE").count());
            assertEquals(1.0, metrics.counter("synkit.logic.store.calls.failed", "set", "s2", "code", "UNAVAILABLE").count());
        } finally {
            store.close();
            clients.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

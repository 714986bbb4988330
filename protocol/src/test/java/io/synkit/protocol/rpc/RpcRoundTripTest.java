package io.synkit.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.RpcEnvelope;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls over a real loopback connection: replies completed on other threads (as the store's
 * replica loop completes them) reach the right callers, timeouts fire without a timer per call,
 * and frames too large for the limit are refused with a clear error on either side.
 */
class RpcRoundTripTest {

    private static final FrameLimits LIMITS = new FrameLimits(64 << 10);

    private final EventLoopGroup group = NettyThreads.group("rpc-test", 2);
    private final ExecutorService completers = Executors.newFixedThreadPool(3);
    private RpcServer server;
    private RpcClient client;

    /** Echoes the request's call id back; "silent" never answers; "huge" answers beyond the frame limit. */
    private CompletableFuture<RpcEnvelope> handle(ByteString payload) {
        RpcEnvelope request;
        try {
            request = RpcEnvelope.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        String kind = request.getPayload().toStringUtf8();
        if (kind.equals("silent")) {
            return new CompletableFuture<>();
        }
        if (kind.equals("huge")) {
            return CompletableFuture.completedFuture(RpcEnvelope.newBuilder().setPayload(ByteString.copyFrom(new byte[100 << 10])).build());
        }
        return CompletableFuture.supplyAsync(() -> RpcEnvelope.newBuilder().setCallId(request.getCallId()).build(), completers);
    }

    @BeforeEach
    void start() throws InterruptedException {
        server = new RpcServer("test", (payload, timeoutMs) -> handle(payload), LIMITS);
        InetSocketAddress bound = server.start(group, group, new InetSocketAddress("127.0.0.1", 0));
        client = new RpcClient(bound, group, LIMITS, 100_000);
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.close();
        completers.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private static RpcEnvelope request(long marker, String kind) {
        return RpcEnvelope.newBuilder().setCallId(marker).setPayload(ByteString.copyFromUtf8(kind)).build();
    }

    @Test
    void manyConcurrentCallsEachGetTheirOwnAnswer() throws Exception {
        List<CompletableFuture<ByteString>> calls = new ArrayList<>();
        for (long marker = 1; marker <= 5_000; marker++) {
            calls.add(client.call(request(marker, "echo"), 10_000));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(i + 1, RpcEnvelope.parseFrom(calls.get(i).get(10, TimeUnit.SECONDS)).getCallId());
        }
    }

    @Test
    void aCallWithoutAnswerTimesOut() throws Exception {
        long startNs = System.nanoTime();
        RpcException failure = failure(client.call(request(1, "silent"), 200));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(ErrorCode.TIMEOUT, failure.code());
        assertTrue(tookMs >= 200 && tookMs < 2_000, "timed out after " + tookMs + " ms");
        assertEquals(2, RpcEnvelope.parseFrom(client.call(request(2, "echo"), 1_000).get(5, TimeUnit.SECONDS)).getCallId(),
                "the connection still serves calls");
    }

    @Test
    void framesBeyondTheLimitAreRefusedWithTheReasonAndTheConnectionGoesOn() throws Exception {
        RpcException tooBig = failure(client.call(request(1, "x".repeat(70 << 10)), 1_000));
        assertEquals(ErrorCode.INVALID_REQUEST, tooBig.code());
        assertTrue(tooBig.getMessage().contains("exceeds frameBytesMax"), tooBig.getMessage());
        RpcException replyTooBig = failure(client.call(request(2, "huge"), 1_000));
        assertEquals(ErrorCode.INTERNAL, replyTooBig.code());
        assertTrue(replyTooBig.getMessage().contains("exceeds frameBytesMax"), replyTooBig.getMessage());
        assertEquals(3, RpcEnvelope.parseFrom(client.call(request(3, "echo"), 1_000).get(5, TimeUnit.SECONDS)).getCallId());
    }

    private static RpcException failure(CompletableFuture<ByteString> call) throws InterruptedException {
        try {
            call.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the call succeeded");
        } catch (ExecutionException e) {
            return RpcException.of(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the call never completed", e);
        }
    }
}

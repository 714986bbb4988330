package io.synkit.access.server;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.DeviceLoggedIn;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.internal.RouteUpdated;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.protocol.rpc.RpcPayloads;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/** A logic node on a real port that records routes and answers every sync with a full page; a test can make it refuse. */
final class LogicStub implements RpcHandler, AutoCloseable {

    static final int SYNC_PAGE_OPS = 500;

    volatile RpcException failure;
    /** Sync answers carry 500 ops with bodies of this many bytes (a full page). */
    volatile int syncOpBodyBytes = 1024;
    /** While set, sync answers wait for it (a request held in flight). */
    volatile CompletableFuture<Void> syncGate;
    /** Completes when a sync arrives. */
    final CompletableFuture<Void> syncArrived = new CompletableFuture<>();
    /** The device of every login, in order. */
    final Queue<String> loginDevices = new ConcurrentLinkedQueue<>();
    /** While set, login answers wait for it (logins held on their way, as at a slow SET). */
    volatile CompletableFuture<Void> loginGate;
    private final EventLoopGroup loops = NettyThreads.group("logic-stub", 1);
    private final RpcServer server = new RpcServer("logic-stub", this, FrameLimits.internal());
    private final InetSocketAddress address;

    LogicStub() throws InterruptedException {
        address = server.start(loops, loops, new InetSocketAddress("127.0.0.1", 0));
    }

    String hostPort() {
        return "127.0.0.1:" + address.getPort();
    }

    @Override
    public CompletableFuture<LogicResponse> handle(ByteString payload, long timeoutMs) {
        LogicRequest request = RpcPayloads.parse(LogicRequest.parser(), payload, "logic request");
        RpcException refusal = failure;
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        if (request.hasSync()) {
            syncArrived.complete(null);
            CompletableFuture<Void> gate = syncGate;
            return gate == null ? CompletableFuture.completedFuture(syncPage()) : gate.thenApply(released -> syncPage());
        }
        if (request.hasLogin()) {
            loginDevices.add(request.getCaller().getDeviceId());
            CompletableFuture<Void> gate = loginGate;
            LogicResponse loggedIn = LogicResponse.newBuilder().setLogin(DeviceLoggedIn.getDefaultInstance()).build();
            return gate == null ? CompletableFuture.completedFuture(loggedIn) : gate.thenApply(released -> loggedIn);
        }
        if (!request.hasRoute()) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "the stub records routes and answers syncs only"));
        }
        return CompletableFuture.completedFuture(LogicResponse.newBuilder().setRoute(RouteUpdated.getDefaultInstance()).build());
    }

    private LogicResponse syncPage() {
        SyncResponse.Builder page = SyncResponse.newBuilder();
        for (int seq = 1; seq <= SYNC_PAGE_OPS; seq++) {
            page.addOps(Op.newBuilder().setSeq(seq).setMessage(MessageOp.newBuilder().setBody(ByteString.copyFrom(new byte[syncOpBodyBytes]))));
        }
        return LogicResponse.newBuilder().setSync(page).build();
    }

    @Override
    public void close() {
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

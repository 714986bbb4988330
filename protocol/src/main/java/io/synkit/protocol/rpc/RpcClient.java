package io.synkit.protocol.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.synkit.protocol.internal.RpcEnvelope;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls one remote {@link RpcServer} over one multiplexed TCP connection, connecting lazily and
 * again after the connection drops. Every call has a timeout; calls beyond
 * {@code inflightCountMax} fail at once with UNAVAILABLE rather than queue without bound. When the
 * connection drops, its in-flight calls fail with UNAVAILABLE: their outcome is unknown and the
 * caller's retry must be idempotent.
 */
public final class RpcClient implements AutoCloseable {

    /** How often calls in flight are checked for their timeout (the timeout's granularity). */
    static final long TIMEOUT_SWEEP_MS = 10;

    private final InetSocketAddress address;
    private final EventLoopGroup group;
    private final FrameLimits limits;
    private final int inflightCountMax;
    /** Null: plain TCP. */
    private final InternalTls tls;
    private final Map<Long, Call> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextCallId = new AtomicLong(1);
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();
    private final Object connectLock = new Object();
    private CompletableFuture<Connection> connection;
    private volatile boolean closed;

    public RpcClient(InetSocketAddress address, EventLoopGroup group, FrameLimits limits, int inflightCountMax) {
        this(address, group, limits, inflightCountMax, null);
    }

    /** @param tls mutual TLS on the connection ({@link InternalTls}); null for plain TCP */
    public RpcClient(InetSocketAddress address, EventLoopGroup group, FrameLimits limits, int inflightCountMax, InternalTls tls) {
        if (inflightCountMax < 1) {
            throw new IllegalArgumentException("inflightCountMax=" + inflightCountMax + " must be >= 1");
        }
        this.address = address;
        this.group = group;
        this.limits = limits;
        this.inflightCountMax = inflightCountMax;
        this.tls = tls;
    }

    public InetSocketAddress address() {
        return address;
    }

    /**
     * Sends a request; the future completes with the response payload or an {@link RpcException}
     * (TIMEOUT when no answer came within {@code timeoutMs}, give or take {@link #TIMEOUT_SWEEP_MS}).
     */
    public CompletableFuture<ByteString> call(MessageLite request, long timeoutMs) {
        if (closed) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "rpc client to " + address + " is closed"));
        }
        if (pending.size() >= inflightCountMax) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE,
                    "rpc client to " + address + " has " + pending.size() + " calls in flight, inflightCountMax=" + inflightCountMax));
        }
        long callId = nextCallId.getAndIncrement();
        OutboundEnvelope envelope = new OutboundEnvelope(callId, request, (int) Math.min(timeoutMs, Integer.MAX_VALUE));
        if (envelope.serializedBytes() > limits.frameBytesMax()) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.INVALID_REQUEST,
                    "request of " + envelope.serializedBytes() + " bytes exceeds frameBytesMax=" + limits.frameBytesMax()));
        }
        Call result = new Call(timeoutMs);
        pending.put(callId, result);
        scheduleSweep();
        connect().whenComplete((connected, failure) -> {
            if (failure != null) {
                fail(callId, new RpcException(ErrorCode.UNAVAILABLE, "cannot connect to " + address + ": " + failure.getMessage()));
            } else {
                connected.requests().write(envelope);
                if (!connected.channel().isActive()) {
                    // Closed before this call was registered: the close already failed the calls it knew.
                    fail(callId, new RpcException(ErrorCode.UNAVAILABLE, "connection to " + address + " lost"));
                }
            }
        });
        return result;
    }

    /** A call in flight: its future and when it times out. */
    private static final class Call extends CompletableFuture<ByteString> {

        final long timeoutMs;
        final long deadlineNs;

        Call(long timeoutMs) {
            this.timeoutMs = timeoutMs;
            this.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        }
    }

    /**
     * Timeouts are found by one sweep every {@link #TIMEOUT_SWEEP_MS} while calls are in flight,
     * not by a timer per call (scheduling and cancelling one per call cost more than the call).
     */
    private void scheduleSweep() {
        if (!closed && sweepScheduled.compareAndSet(false, true)) {
            try {
                group.next().schedule(this::sweep, TIMEOUT_SWEEP_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                failAll("rpc client to " + address + ": its event loops are shut down");
            }
        }
    }

    private void sweep() {
        long nowNs = System.nanoTime();
        for (Map.Entry<Long, Call> entry : pending.entrySet()) {
            Call call = entry.getValue();
            if (nowNs - call.deadlineNs >= 0) {
                fail(entry.getKey(), new RpcException(ErrorCode.TIMEOUT, "no answer from " + address + " within " + call.timeoutMs + " ms"));
            }
        }
        // Cleared first: a call added after the check below schedules the next sweep itself.
        sweepScheduled.set(false);
        if (!pending.isEmpty()) {
            scheduleSweep();
        }
    }

    private void fail(long callId, RpcException e) {
        Call call = pending.remove(callId);
        if (call != null) {
            call.completeExceptionally(e);
        }
    }

    /** An open connection and the writer that batches its requests into few flushes. */
    private record Connection(Channel channel, CoalescingWriter requests) {
    }

    private CompletableFuture<Connection> connect() {
        synchronized (connectLock) {
            if (connection != null && (!connection.isDone() || isUsable(connection))) {
                return connection;
            }
            CompletableFuture<Connection> attempt = new CompletableFuture<>();
            connection = attempt;
            ChannelFuture future = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.clientHandler(ch.alloc(), address.getHostString(), address.getPort()));
                            }
                            ch.pipeline().addLast("frame", new FrameDecoder(limits))
                                    .addLast("decode", new ProtoDecoder<>(RpcEnvelope.parser()))
                                    .addLast("encode", new FrameEncoder(limits))
                                    .addLast("encode-envelope", new EnvelopeEncoder(limits))
                                    .addLast("responses", new ResponseHandler());
                        }
                    })
                    .connect(address);
            future.addListener(done -> {
                if (done.isSuccess()) {
                    attempt.complete(new Connection(future.channel(), future.channel().pipeline().get(ResponseHandler.class).requests));
                } else {
                    attempt.completeExceptionally(done.cause());
                }
            });
            return attempt;
        }
    }

    private static boolean isUsable(CompletableFuture<Connection> connection) {
        return !connection.isCompletedExceptionally() && connection.join().channel().isActive();
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<Connection> current;
        synchronized (connectLock) {
            current = connection;
        }
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
            current.join().channel().close().syncUninterruptibly();
        }
        failAll("rpc client to " + address + " closed");
    }

    private void failAll(String reason) {
        for (Long callId : pending.keySet()) {
            fail(callId, new RpcException(ErrorCode.UNAVAILABLE, reason));
        }
    }

    private final class ResponseHandler extends SimpleChannelInboundHandler<RpcEnvelope> {

        private CoalescingWriter requests;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            requests = new CoalescingWriter(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RpcEnvelope response) {
            Call call = pending.remove(response.getCallId());
            if (call == null) {
                return; // timed out already: the late answer has no one waiting
            }
            if (response.hasError()) {
                call.completeExceptionally(new RpcException(response.getError()));
            } else {
                call.complete(response.getPayload());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Every call in flight on this connection has an unknown outcome now.
            failAll("connection to " + address + " lost");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

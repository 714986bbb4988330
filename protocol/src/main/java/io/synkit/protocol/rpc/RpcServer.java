package io.synkit.protocol.rpc;

import com.google.protobuf.MessageLite;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameException;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.synkit.protocol.internal.RpcEnvelope;
import io.synkit.runtime.ListenException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves one {@link RpcHandler} on a TCP port with the internal framing. */
public final class RpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    private final String name;
    private final RpcHandler handler;
    private final FrameLimits limits;
    /** Null: plain TCP. */
    private final InternalTls tls;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public RpcServer(String name, RpcHandler handler, FrameLimits limits) {
        this(name, handler, limits, null);
    }

    /** @param tls mutual TLS on every accepted connection: a peer without a certificate of the CA is refused; null for plain TCP */
    public RpcServer(String name, RpcHandler handler, FrameLimits limits, InternalTls tls) {
        this.name = name;
        this.handler = handler;
        this.limits = limits;
        this.tls = tls;
    }

    /** Binds and starts serving; returns the bound address (port 0 picks a free port). A port that cannot be bound throws {@link ListenException}. */
    public InetSocketAddress start(EventLoopGroup boss, EventLoopGroup workers, InetSocketAddress bind) throws InterruptedException {
        FrameEncoder encoder = new FrameEncoder(limits);
        EnvelopeEncoder envelopeEncoder = new EnvelopeEncoder(limits);
        ChannelFuture bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.serverHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("frame", new FrameDecoder(limits))
                                .addLast("decode", new ProtoDecoder<>(RpcEnvelope.parser()))
                                .addLast("encode", encoder)
                                .addLast("encode-envelope", envelopeEncoder)
                                .addLast("dispatch", new Dispatcher());
                    }
                })
                .bind(bind).await();
        if (!bound.isSuccess()) {
            throw new ListenException(bind, bound.cause());
        }
        serverChannel = bound.channel();
        InetSocketAddress local = (InetSocketAddress) serverChannel.localAddress();
        log.info("rpc server listening service={} address={}", name, local);
        return local;
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        channels.close().syncUninterruptibly();
    }

    /** One per connection: runs calls and sends their replies, one flush per burst of replies. */
    private final class Dispatcher extends SimpleChannelInboundHandler<RpcEnvelope> {

        private CoalescingWriter replies;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            replies = new CoalescingWriter(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RpcEnvelope request) {
            long callId = request.getCallId();
            if (callId == 0) {
                replies.write(errorReply(0, new RpcException(ErrorCode.INVALID_REQUEST, "call_id 0 is reserved")));
                return;
            }
            try {
                handler.handle(request.getPayload(), request.getTimeoutMs()).whenComplete((response, failure) ->
                        replies.write(failure == null ? reply(callId, (MessageLite) response) : errorReply(callId, RpcException.of(failure))));
            } catch (RuntimeException e) {
                replies.write(errorReply(callId, RpcException.of(e)));
            }
        }

        /** The reply, or an error reply when the response would not fit in a frame (the caller hears why). */
        private Object reply(long callId, MessageLite response) {
            OutboundEnvelope reply = new OutboundEnvelope(callId, response, 0);
            if (reply.serializedBytes() > limits.frameBytesMax()) {
                return errorReply(callId, new RpcException(ErrorCode.INTERNAL,
                        "reply of " + reply.serializedBytes() + " bytes exceeds frameBytesMax=" + limits.frameBytesMax()));
            }
            return reply;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause.getCause() instanceof javax.net.ssl.SSLException tls) {
                log.info("rpc peer refused: tls handshake failed service={} peer={} reason=\"{}\"", name, ctx.channel().remoteAddress(), tls.getMessage());
            } else if (cause instanceof FrameException frame) {
                log.warn("rpc peer sent a bad frame service={} peer={} code={} reason={}", name, ctx.channel().remoteAddress(), frame.code(), frame.getMessage());
            } else {
                log.debug("rpc connection failed service={} peer={} reason={}", name, ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }
    }

    private static RpcEnvelope errorReply(long callId, RpcException e) {
        return RpcEnvelope.newBuilder().setCallId(callId).setError(e.error()).build();
    }
}

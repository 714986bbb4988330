package io.synkit.ops.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.runtime.NettyThreads;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sync path with a deliberate bug, for the test that proves the checker can fail, injected in
 * test code only: a loopback proxy in front of an access node that drops the first op of every
 * sync page holding more than one, yet leaves the page's new key past it (an off-by-one in
 * paging) and gives it a digest of the ops it kept, so the page is what a buggy server would
 * send. Client frames pass through untouched; each link gets its own upstream connection.
 */
final class SyncSkipsOpProxy implements AutoCloseable {

    private static final FrameLimits LIMITS = FrameLimits.client();

    private final InetSocketAddress target;
    private final EventLoopGroup group = NettyThreads.group("sync-skips-op-proxy", 1);
    private final ChannelGroup channels = new DefaultChannelGroup("sync-skips-op-proxy", GlobalEventExecutor.INSTANCE, true);

    SyncSkipsOpProxy(InetSocketAddress target) {
        this.target = target;
    }

    /** Listens on a free loopback port; returns the address clients connect to instead of the access node. */
    InetSocketAddress start() throws InterruptedException {
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false) // until the upstream connection is open
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        channels.add(client);
                        client.pipeline().addLast(new FrameEncoder(LIMITS), new ToUpstream());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        channels.add(server);
        return (InetSocketAddress) server.localAddress();
    }

    /** The bug: a page of two or more ops loses its first. */
    static ServerFrame skipFirstOp(ServerFrame frame) {
        if (!frame.hasSync() || frame.getSync().getOpsCount() < 2) {
            return frame;
        }
        SyncResponse page = frame.getSync();
        List<Op> kept = page.getOpsList().subList(1, page.getOpsCount());
        return frame.toBuilder().setSync(page.toBuilder().clearOps().addAllOps(kept).setDigest(RangeDigests.of(kept))).build();
    }

    /** On a client's channel: opens its upstream connection, then forwards the client's bytes as they are. */
    private final class ToUpstream extends ChannelInboundHandlerAdapter {

        private Channel upstream;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            ChannelFuture connected = new Bootstrap()
                    .group(client.eventLoop())
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channels.add(channel);
                            channel.pipeline().addLast(new FrameDecoder(LIMITS), new ProtoDecoder<>(ServerFrame.parser()), new ToClient(client));
                        }
                    })
                    .connect(target);
            upstream = connected.channel();
            connected.addListener(done -> {
                if (done.isSuccess()) {
                    client.config().setAutoRead(true);
                } else {
                    client.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object bytes) {
            upstream.writeAndFlush(bytes);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            upstream.close();
        }
    }

    /** On an upstream channel: passes each server frame to the client, through the bug. */
    private static final class ToClient extends SimpleChannelInboundHandler<ServerFrame> {

        private final Channel client;

        ToClient(Channel client) {
            this.client = client;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ServerFrame frame) {
            client.writeAndFlush(skipFirstOp(frame));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            client.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        channels.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

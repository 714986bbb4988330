package io.synkit.sim.chaos;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxies' target in tests: echoes every byte back on the same connection and counts
 * connections accepted and closed. Each read buffer is written straight back, so the channel
 * owns and releases it; reading pauses while the echo is not writable, so a slow proxy does not
 * grow its outbound buffer.
 */
final class EchoServer implements AutoCloseable {

    private final AtomicInteger acceptedCount = new AtomicInteger();
    private final AtomicInteger closedCount = new AtomicInteger();
    private final Channel serverChannel;

    EchoServer(EventLoopGroup group) {
        serverChannel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new Echo())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    int acceptedCount() {
        return acceptedCount.get();
    }

    int closedCount() {
        return closedCount.get();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private final class Echo extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            acceptedCount.incrementAndGet();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closedCount.incrementAndGet();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset from the proxy: the connection is gone, which is what the tests look for.
            ctx.close();
        }
    }
}

package io.synkit.ops.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;

/**
 * The network path from one store replica to one peer, as a TCP forwarder that can be cut: while
 * cut, nothing is read on either side, so bytes wait in the kernel's buffers and both replicas
 * see silence, as in a partition with TCP still retransmitting; when healed, the held bytes flow
 * on, nothing lost. One link per ordered pair of replicas, so cutting the links to and from one
 * replica isolates it from its SET while clients still reach it.
 *
 * <p>Buffers: each read buffer is written to the other side, which releases it.
 */
public final class PeerLink implements AutoCloseable {

    private final EventLoopGroup group;
    private final InetSocketAddress target;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean cut;
    private Channel listener;

    public PeerLink(EventLoopGroup group, InetSocketAddress target) {
        this.group = group;
        this.target = target;
    }

    /** Binds a loopback port and returns it as "host:port". */
    public String start() throws InterruptedException {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel inbound) {
                        channels.add(inbound);
                        connectUpstream(inbound);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        InetSocketAddress local = (InetSocketAddress) listener.localAddress();
        return "127.0.0.1:" + local.getPort();
    }

    private void connectUpstream(SocketChannel inbound) {
        new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new Forward(inbound))
                .connect(target).addListener(done -> {
                    if (!done.isSuccess()) {
                        inbound.close();
                        return;
                    }
                    Channel outbound = ((io.netty.channel.ChannelFuture) done).channel();
                    channels.add(outbound);
                    inbound.pipeline().addLast(new Forward(outbound));
                    readIfHealed(inbound);
                    readIfHealed(outbound);
                });
    }

    /** Cuts (true) or heals (false) the path. */
    public void cut(boolean cut) {
        this.cut = cut;
        if (!cut) {
            channels.forEach(this::readIfHealed);
        }
    }

    private void readIfHealed(Channel channel) {
        if (!cut && channel.isActive()) {
            channel.read();
        }
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        channels.close().syncUninterruptibly();
    }

    /** Writes what one side reads to the other; asks for the next read only while healed. */
    private final class Forward extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Forward(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.writeAndFlush(msg).addListener(written -> {
                if (written.isSuccess()) {
                    readIfHealed(ctx.channel());
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

package io.synkit.sim.chaos;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An in-process TCP proxy that makes a loopback link behave like a bad mobile network: it listens
 * on 127.0.0.1, opens one upstream connection to {@code target} per accepted connection, and
 * forwards both directions through a {@link LinkProfile}'s latency, jitter, bandwidth cap,
 * stalls, resets, half-opens and NAT idle drops. Bytes are delayed, never dropped, reordered or
 * duplicated while a link is open.
 *
 * <p>Replay: connection {@code i} (in accept order, from 0) draws everything from a
 * {@link java.util.SplittableRandom} seeded by {@link #linkSeed(long, long) linkSeed(seed, i)}, so
 * the same seed and the same connection order replay the same fault schedule (when each stall,
 * reset, half-open happens relative to the link's start, and how long each stall lasts). Jitter
 * is drawn once per socket read, so its sequence replays but which bytes it lands on depends on
 * how the kernel splits reads. Time is read from {@link System#nanoTime()} and waited on only
 * through the event loops' schedulers (no sleeping threads).
 *
 * <p>Memory: at most {@link LinkDirection#QUEUED_BYTES_MAX} bytes (plus one read, at most 64 KiB
 * with Netty's adaptive receive allocator) are queued per direction of a link before reading from
 * that side stops, and each channel's outbound buffer stays near
 * {@link ChaosLink#WRITE_BUFFER_WATER_MARK}'s high mark.
 *
 * <p>Buffers: every {@link io.netty.buffer.ByteBuf} read from a socket is owned by its link from
 * then on; the link either writes it to the other socket (which then owns and releases it) or
 * releases it itself when a fault, a close or {@link #close()} drops it. Callers never see one.
 *
 * <p>Threading: {@link #start()} and {@link #close()} block and must not be called on an event
 * loop of {@code group}; {@link #stats()} may be called from any thread.
 */
public final class ChaosProxy implements AutoCloseable {

    /**
     * What the proxy's links did since it started; each counter only grows.
     *
     * @param connections connections accepted
     * @param bytesForwarded bytes written onward, both directions together
     * @param stalls stalls begun
     * @param resets links reset (both sides closed with an RST)
     * @param halfOpens links gone silent for good
     * @param natDrops links dropped after being idle for the profile's NAT timeout
     */
    public record Stats(long connections, long bytesForwarded, long stalls, long resets, long halfOpens, long natDrops) {
    }

    private static final AttributeKey<Long> LINK_INDEX = AttributeKey.valueOf(ChaosProxy.class, "linkIndex");
    private static final long CLOSE_WAIT_MS = 5_000;

    private final EventLoopGroup group;
    private final InetSocketAddress target;
    private final LinkProfile profile;
    private final long seed;
    private final LinkCounters counters = new LinkCounters();
    /** Every channel of every link: closed together by {@link #close()}, and any added later too. */
    private final ChannelGroup channels = new DefaultChannelGroup("chaos-proxy", GlobalEventExecutor.INSTANCE, true);
    private Channel serverChannel;
    private boolean closed;

    /**
     * @param group NIO event loops for the listening socket and the links (each link, both of
     *     its channels, stays on one loop)
     * @param target where each accepted connection is forwarded to
     * @param profile what the link does to the bytes
     * @param seed replays the run's jitter and faults
     */
    public ChaosProxy(EventLoopGroup group, InetSocketAddress target, LinkProfile profile, long seed) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(profile, "profile");
        if (!(group instanceof NioEventLoopGroup) && !(group instanceof NioEventLoop)) {
            throw new IllegalArgumentException("group=" + group.getClass().getName() + " must be NIO (NioEventLoopGroup or NioEventLoop)");
        }
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("target=" + target + " must be a resolved address");
        }
        this.group = group;
        this.target = target;
        this.profile = profile;
        this.seed = seed;
    }

    /**
     * Binds 127.0.0.1 on an ephemeral port and starts accepting.
     *
     * @return the address clients connect to instead of {@code target}
     * @throws IllegalStateException if already started or closed, or if the bind fails
     */
    public synchronized InetSocketAddress start() {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("chaos proxy for target=" + target + " profile=" + profile.name()
                    + " cannot start: started=" + (serverChannel != null) + " closed=" + closed);
        }
        ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .handler(new AcceptOrder())
                // Reading starts once the upstream is connected.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ChaosLink.WRITE_BUFFER_WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel downstream) {
                        long linkIndex = downstream.attr(LINK_INDEX).get();
                        channels.add(downstream);
                        ChaosLink link = new ChaosLink(downstream, linkIndex, linkSeed(seed, linkIndex), target, profile, counters, channels);
                        downstream.pipeline().addLast(link.downstreamHandler());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            throw new IllegalStateException("chaos proxy for target=" + target + " could not bind 127.0.0.1:0", bind.cause());
        }
        serverChannel = bind.channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public Stats stats() {
        return counters.snapshot();
    }

    public LinkProfile profile() {
        return profile;
    }

    /**
     * Stops accepting and closes every link's channels (waiting up to 5 s); queued bytes are
     * released. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_MS);
        }
        channels.close().awaitUninterruptibly(CLOSE_WAIT_MS);
    }

    /**
     * The seed of link {@code linkIndex}'s random: the proxy seed and the index each go through a
     * 64-bit finalizer (SplitMix64's), so neighbouring seeds and indexes give unrelated streams.
     */
    static long linkSeed(long proxySeed, long linkIndex) {
        return mix64(mix64(proxySeed) + mix64(linkIndex ^ 0x9E3779B97F4A7C15L));
    }

    private static long mix64(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Numbers accepted connections on the listening channel's loop, in accept order, before they
     * are handed to their own loops (where initialization order across loops is not fixed).
     */
    private final class AcceptOrder extends ChannelInboundHandlerAdapter {

        private long nextLinkIndex;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel accepted = (Channel) msg;
            accepted.attr(LINK_INDEX).set(nextLinkIndex++);
            counters.connections.increment();
            ctx.fireChannelRead(msg);
        }
    }
}

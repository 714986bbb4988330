package io.synkit.sim.chaos;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection: the accepted (downstream, client) channel, the upstream channel this
 * link opens to the target, a {@link LinkDirection} each way, and the profile's faults.
 *
 * <p>States and their legal transitions:
 * <pre>
 *   CONNECTING -> OPEN     upstream connected
 *   CONNECTING -> CLOSED   upstream connect failed, or the client left first
 *   OPEN       -> FROZEN   half-open, or NAT idle drop: nothing is forwarded or closed any more
 *                          (a NAT drop closes the upstream channel one idle period later)
 *   OPEN       -> CLOSED   reset, an I/O error on either side (propagated as a reset), or both
 *                          channels closed (an end of stream is forwarded after the queued bytes)
 *   FROZEN     -> CLOSED   both channels closed (by the proxy's close, or by the peers)
 * </pre>
 * An illegal transition throws naming the link index and both states.
 *
 * <p>Faults are independent Poisson processes drawn from per-fault streams split off the link's
 * own {@link SplittableRandom}, so the same (proxy seed, link index) draws the same jitter, the
 * same gaps between faults and the same stall lengths.
 *
 * <p>Threading: both channels share one event loop (the upstream is bootstrapped on the
 * downstream's loop), and every method runs on it, so the link needs no locks.
 *
 * <p>Buffers: each {@link ByteBuf} read from either channel is handed to that direction's
 * {@link LinkDirection#accept}, which owns it from then on, or is released here when the link is
 * not forwarding.
 */
final class ChaosLink {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosLink.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /**
     * Both channels of a link (set explicitly, equal to Netty's default): a direction writes to
     * its sink only while the sink's outbound buffer is below 64 KiB, and resumes below 32 KiB.
     */
    static final WriteBufferWaterMark WRITE_BUFFER_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    enum State { CONNECTING, OPEN, FROZEN, CLOSED }

    private final long linkIndex;
    private final InetSocketAddress target;
    private final LinkProfile profile;
    private final LinkCounters counters;
    private final ChannelGroup channels;
    private final Channel downstream;
    private final SplittableRandom jitterUpRandom;
    private final SplittableRandom jitterDownRandom;
    private final SplittableRandom stallRandom;
    private final SplittableRandom resetRandom;
    private final SplittableRandom halfOpenRandom;
    private Channel upstream;
    private LinkDirection toUpstream;
    private LinkDirection toDownstream;
    private State state = State.CONNECTING;
    private long stalledUntilNanos;
    private long lastForwardedNanos;
    private ScheduledFuture<?> stallTimer;
    private ScheduledFuture<?> resetTimer;
    private ScheduledFuture<?> halfOpenTimer;
    private ScheduledFuture<?> natTimer;

    ChaosLink(Channel downstream, long linkIndex, long linkSeed, InetSocketAddress target, LinkProfile profile, LinkCounters counters, ChannelGroup channels) {
        this.downstream = downstream;
        this.linkIndex = linkIndex;
        this.target = target;
        this.profile = profile;
        this.counters = counters;
        this.channels = channels;
        // Split in a fixed order: each stream's draws stay the same whatever the others consume.
        SplittableRandom linkRandom = new SplittableRandom(linkSeed);
        this.jitterUpRandom = linkRandom.split();
        this.jitterDownRandom = linkRandom.split();
        this.stallRandom = linkRandom.split();
        this.resetRandom = linkRandom.split();
        this.halfOpenRandom = linkRandom.split();
    }

    /** The handler for the downstream channel; it starts the upstream connect when active. */
    ChannelInboundHandlerAdapter downstreamHandler() {
        return new Endpoint(true);
    }

    EventLoop eventLoop() {
        return downstream.eventLoop();
    }

    /**
     * The one place a link reads the clock; waiting is done by the event loop's scheduler only.
     * Same origin as Netty's own scheduling.
     */
    long nanoTime() {
        return System.nanoTime();
    }

    boolean isForwarding() {
        return state == State.OPEN;
    }

    long stalledUntilNanos() {
        return stalledUntilNanos;
    }

    /** A direction wrote bytes to its sink: they count as NAT activity. */
    void forwarded(long bytes, long nowNanos) {
        counters.bytesForwarded.add(bytes);
        lastForwardedNanos = nowNanos;
    }

    private void connectUpstream() {
        ChannelFuture connect = new Bootstrap()
                .group(downstream.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER_WATER_MARK)
                .handler(new Endpoint(false))
                .connect(target);
        upstream = connect.channel();
        channels.add(upstream);
        connect.addListener((ChannelFuture done) -> {
            if (state != State.CONNECTING) {
                // The client left while connecting: the link is already closed.
                upstream.close();
            } else if (done.isSuccess()) {
                open();
            } else {
                LOG.debug("chaos link={} upstream connect to target={} failed: {}", linkIndex, target, done.cause().toString());
                transition(State.CONNECTING, State.CLOSED);
                downstream.close();
            }
        });
    }

    private void open() {
        transition(State.CONNECTING, State.OPEN);
        long nowNanos = nanoTime();
        lastForwardedNanos = nowNanos;
        stalledUntilNanos = nowNanos;
        toUpstream = new LinkDirection(this, downstream, upstream, profile, jitterUpRandom, nowNanos);
        toDownstream = new LinkDirection(this, upstream, downstream, profile, jitterDownRandom, nowNanos);
        stallTimer = scheduleNext(stallRandom, profile.stallsPerMinute(), this::stall);
        resetTimer = scheduleNext(resetRandom, profile.resetsPerMinute(), this::reset);
        halfOpenTimer = scheduleNext(halfOpenRandom, profile.halfOpensPerMinute(), this::halfOpen);
        if (profile.natIdleTimeoutMs() > 0) {
            natTimer = eventLoop().schedule(this::checkNatIdle, profile.natIdleTimeoutMs(), TimeUnit.MILLISECONDS);
        }
        toUpstream.updateReading();
        toDownstream.updateReading();
    }

    /** Schedules the next event of a Poisson process with the given mean rate; null if rate 0. */
    private ScheduledFuture<?> scheduleNext(SplittableRandom random, double perMinute, Runnable fault) {
        if (perMinute == 0) {
            return null;
        }
        // Exponential gap: 1 - nextDouble() is in (0, 1], so the log is finite. A gap beyond a
        // long saturates to Long.MAX_VALUE, which Netty's scheduler treats as "never".
        double gapNanos = -Math.log(1 - random.nextDouble()) * TimeUnit.MINUTES.toNanos(1) / perMinute;
        return eventLoop().schedule(fault, (long) gapNanos, TimeUnit.NANOSECONDS);
    }

    private void stall() {
        if (state != State.OPEN) {
            return;
        }
        long stallMs = stallRandom.nextLong(profile.stallMsMin(), profile.stallMsMax() + 1);
        long endNanos = nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMs);
        // Overlapping stalls merge; nanoTime values are compared by difference, never directly.
        if (endNanos - stalledUntilNanos > 0) {
            stalledUntilNanos = endNanos;
        }
        counters.stalls.increment();
        LOG.debug("chaos link={} fault=stall stallMs={}", linkIndex, stallMs);
        // The directions see the stall when they next try to send; nothing to wake now.
        stallTimer = scheduleNext(stallRandom, profile.stallsPerMinute(), this::stall);
    }

    private void reset() {
        if (state != State.OPEN) {
            return;
        }
        counters.resets.increment();
        LOG.debug("chaos link={} fault=reset", linkIndex);
        abort();
    }

    private void halfOpen() {
        if (state != State.OPEN) {
            return;
        }
        counters.halfOpens.increment();
        LOG.debug("chaos link={} fault=half-open", linkIndex);
        freeze();
    }

    private void checkNatIdle() {
        if (state != State.OPEN) {
            return;
        }
        long idleNanos = nanoTime() - lastForwardedNanos;
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(profile.natIdleTimeoutMs());
        if (idleNanos < timeoutNanos) {
            natTimer = eventLoop().schedule(this::checkNatIdle, timeoutNanos - idleNanos, TimeUnit.NANOSECONDS);
            return;
        }
        counters.natDrops.increment();
        LOG.debug("chaos link={} fault=nat-drop idleMs={}", linkIndex, TimeUnit.NANOSECONDS.toMillis(idleNanos));
        freeze();
        // Frozen, the link never forwards again, so this close is the NAT timer's last use.
        // The server side's mapping is gone too: it learns so one more idle period later.
        natTimer = eventLoop().schedule(() -> upstream.close(), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Stops forwarding both ways and closes nothing: each peer now sees a silent link. */
    private void freeze() {
        transition(State.OPEN, State.FROZEN);
        cancelFaultTimers();
        toUpstream.discard();
        toDownstream.discard();
        downstream.config().setAutoRead(false);
        upstream.config().setAutoRead(false);
    }

    /** Closes both channels with an RST (SO_LINGER 0), dropping what is queued. */
    private void abort() {
        transition(State.OPEN, State.CLOSED);
        closed();
        resetAndClose(downstream);
        resetAndClose(upstream);
    }

    private static void resetAndClose(Channel channel) {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    private void closed() {
        cancelFaultTimers();
        if (toUpstream != null) {
            toUpstream.discard();
            toDownstream.discard();
        }
    }

    private void cancelFaultTimers() {
        for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {stallTimer, resetTimer, halfOpenTimer, natTimer}) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    private void transition(State from, State to) {
        if (state != from) {
            throw new IllegalStateException("chaos link=" + linkIndex + " cannot go " + from + " -> " + to + ": state=" + state);
        }
        state = to;
    }

    private void onRead(boolean fromDownstream, Object msg) {
        if (state != State.OPEN || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        (fromDownstream ? toUpstream : toDownstream).accept((ByteBuf) msg);
    }

    private void onInactive(boolean downstreamSide) {
        switch (state) {
            case CONNECTING -> {
                // Only the client can leave before the upstream connects; the connect listener closes it.
                transition(State.CONNECTING, State.CLOSED);
            }
            case OPEN -> {
                LinkDirection fromClosed = downstreamSide ? toUpstream : toDownstream;
                LinkDirection toClosed = downstreamSide ? toDownstream : toUpstream;
                toClosed.discard();
                if (downstream.isActive() || upstream.isActive()) {
                    fromClosed.sourceEnded();
                } else {
                    transition(State.OPEN, State.CLOSED);
                    closed();
                }
            }
            case FROZEN -> {
                if (!downstream.isOpen() && !upstream.isOpen()) {
                    transition(State.FROZEN, State.CLOSED);
                    closed();
                }
            }
            case CLOSED -> {
                // Already closed: nothing left to release.
            }
        }
    }

    private void onError(boolean downstreamSide, Throwable cause) {
        LOG.debug("chaos link={} side={} error={}", linkIndex, downstreamSide ? "downstream" : "upstream", cause.toString());
        if (state == State.OPEN) {
            // The peer's reset (or a broken socket) travels on as a reset, as it would end to end.
            abort();
        } else {
            (downstreamSide ? downstream : upstream).close();
        }
    }

    /** One handler per channel: hands its events to the link. */
    private final class Endpoint extends ChannelInboundHandlerAdapter {

        private final boolean downstreamSide;

        Endpoint(boolean downstreamSide) {
            this.downstreamSide = downstreamSide;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (downstreamSide) {
                connectUpstream();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            onRead(downstreamSide, msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (state == State.OPEN && ctx.channel().isWritable()) {
                (downstreamSide ? toDownstream : toUpstream).drain();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onInactive(downstreamSide);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            onError(downstreamSide, cause);
        }
    }
}

package io.synkit.access.link;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.EventExecutor;
import io.synkit.access.link.LinkMetrics.CloseReason;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.DeviceKey;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.RouteUpdate;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.runtime.Clock;
import io.synkit.access.limit.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection from accept to close: the state the node keeps for it and the one
 * handler of the link pipeline that holds state ({@link LinkPipeline} says why one). It hands each
 * request to the policy of its phase: {@link Authenticator} until authenticated, then
 * {@link RequestRouter}; failures to {@link LinkErrors}.
 *
 * <p>Phases: NEW → OPEN (counted among the node's unauthenticated links; only Auth is accepted)
 * → AUTHENTICATING (a token verified, the device's route being recorded) → AUTHENTICATED
 * (identity bound for the link's lifetime; requests routed) → CLOSED. A link refused at open
 * (too many unauthenticated links) goes NEW → CLOSED. Frames that arrive after the link was closed
 * are dropped.
 *
 * <p>Backpressure: replies and pushes queue in Netty's outbound buffer. Above the write high
 * watermark the link stops reading (autoRead off) until the queue drains below the low watermark;
 * a push to a link above the high mark is dropped (its heartbeat reply carries the seq, and a
 * reconnect syncs); a reply that would take the queue above {@link LinkSettings#outboundBytesMax()}
 * is dropped and the link cut (the client's retry with the same request repairs it); a link above
 * the high mark that drains nothing for {@link LinkSettings#unwritableTimeoutMs()} is cut by the
 * sweep. So a client that never reads costs the node at most the outbound limit. While reading is
 * paused the idle timeout does not run: that silence is the node's doing.
 *
 * <p>Timers: none per link. The event loop's {@link LinkSweep} holds the link while it is open and
 * calls {@link #sweep} for its auth deadline, idle timeout, token expiry and unwritable bound.
 *
 * <p>Threading: the fields are read and written on the channel's event loop only, except the
 * identity ({@link #device()}, {@link #connId()}), written once before the session is published
 * in the registry. The {@link ClientSession} methods may be called from any thread and carry
 * their work over to the loop. Messages: inbound are decoded {@link ClientFrame}s (not reference
 * counted); outbound are {@link ServerFrame}s, which {@code FrameEncoder} turns into buffers.
 */
public final class ClientLink extends ChannelDuplexHandler implements ClientSession {

    private static final Logger log = LoggerFactory.getLogger(ClientLink.class);

    /**
     * What Netty counts per queued frame on top of its bytes (its {@code ChannelOutboundBuffer} entry;
     * {@code -Dio.netty.transport.outboundBufferEntrySizeOverhead}, default 96), so the outbound
     * limit is checked in the same bytes the watermarks count.
     */
    static final int QUEUED_FRAME_OVERHEAD_BYTES = 96;

    private static final byte NEW = 0;
    private static final byte OPEN = 1;
    private static final byte AUTHENTICATING = 2;
    private static final byte AUTHENTICATED = 3;
    private static final byte CLOSED = 4;

    private final LinkPipeline shared;
    private ChannelHandlerContext ctx;
    /** Neighbours in the loop's {@link LinkSweep} (the sweep's list runs through its links). */
    ClientLink sweepPrev;
    ClientLink sweepNext;
    private byte phase = NEW;
    /**
     * {@link #monotonicMs} when the link opened until it authenticated, then of its last complete
     * frame. Times are ints that wrap every 49 days: a difference is exact while below 24 days,
     * and the sweep compares them, at most a minute apart, with timeouts of at most 3 hours.
     */
    private int lastReadMs;
    /** While above the high watermark: since when the link has drained nothing (see {@link #stalled}). */
    private int unwritableSinceMs;
    private int queuedWhenSweptBytes;
    private DeviceKey device;
    private long connId;
    /** This node's wall clock when the login began: the user's SET orders the device's logins by it. */
    private long loginAtMs;
    private long tokenExpiresAtMs;
    private long latestInboxSeq;
    /** A short, as {@code access.inflight.max} is at most 10,000. */
    private short inflightCount;
    /** The interval the client heartbeats at ({@link LinkSettings#heartbeatIntervalOf}); sets its idle timeout and presence window. */
    private int heartbeatIntervalMs;

    ClientLink(LinkPipeline shared) {
        this.shared = shared;
    }

    private LinkServices services() {
        return shared.services();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            open();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        open();
        ctx.fireChannelActive();
    }

    private void open() {
        if (phase != NEW) {
            return;
        }
        LinkServices services = services();
        InetAddress address = address();
        Verdict verdict = address == null ? Verdict.ALLOWED : services.addressLimits().spend(address, 1);
        if (!verdict.allowed()) {
            phase = CLOSED;
            boolean blocked = verdict.outcome() == Verdict.Outcome.BLOCKED;
            closeWith(Frames.error(0, blocked ? ErrorCode.ADDRESS_BLOCKED : ErrorCode.RATE_LIMITED, (blocked ? "this address is blocked"
                    : "too many connections from this address") + "; retry after " + verdict.retryAfterMs() + " ms", true, verdict.retryAfterMs()));
            return;
        }
        if (!services.unauthenticated().tryEnter()) {
            phase = CLOSED;
            services.metrics().refusedUnauthenticatedMax();
            closeWith(Frames.unauthenticatedMax(services.unauthenticated().max(), services.settings().refusedRetryAfterJitteredMs()));
            return;
        }
        phase = OPEN;
        lastReadMs = monotonicMs(services.clock());
        services.sweeps().of(ctx.executor()).add(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientFrame frame = (ClientFrame) msg;
        if (!ctx.channel().isActive()) {
            return; // closed while the rest of a read was being decoded
        }
        switch (phase) {
            case AUTHENTICATED -> {
                lastReadMs = monotonicMs(services().clock());
                shared.router().route(this, frame);
            }
            case OPEN, AUTHENTICATING -> shared.authenticator().onFrame(this, frame);
            default -> {
                // refused or closed: nothing more is served
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (!writable && !readsPaused()) {
            unwritableSinceMs = monotonicMs(services().clock());
            queuedWhenSweptBytes = (int) Math.min(Integer.MAX_VALUE, queuedBytes());
            ctx.channel().config().setAutoRead(false);
            services().metrics().readsPaused();
        } else if (writable && readsPaused()) {
            // The node stopped reading, so the silence since was not the client's: idle counts from now.
            lastReadMs = monotonicMs(services().clock());
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            services().metrics().tlsFailed();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        shared.errors().caught(this, cause);
    }

    /** Everything the node kept for the link goes: its place in the sweep, its count or its session and route. */
    private void closed() {
        byte was = phase;
        phase = CLOSED;
        if (was == NEW || was == CLOSED) {
            return;
        }
        LinkServices services = services();
        services.sweeps().of(ctx.executor()).remove(this);
        if (was == AUTHENTICATED) {
            services.sessions().remove(this);
            routeOffline();
        } else {
            services.unauthenticated().leave();
        }
    }

    // ---------------------------------------------------------------- auth (called by Authenticator, on the loop)

    boolean awaitingAuth() {
        return phase == OPEN;
    }

    /** While {@link #awaitingAuth}: milliseconds since the link was accepted. */
    int openForMs() {
        return monotonicMs(services().clock()) - lastReadMs;
    }

    /** A token verified: the link will act as {@code device} once its route is recorded. */
    void authenticating(DeviceKey device, long connId, long tokenExpiresAtMs) {
        this.device = device;
        this.connId = connId;
        this.loginAtMs = services().clock().nowMs();
        this.tokenExpiresAtMs = tokenExpiresAtMs;
        phase = AUTHENTICATING;
    }

    /**
     * The device is logged in: the link now serves as its device, with the full frame limit, and
     * {@code answer} is sent. False when the link closed (or timed out) meanwhile: nothing is sent.
     */
    boolean authenticated(ServerFrame answer, long inboxHeadSeq) {
        if (phase != AUTHENTICATING || !ctx.channel().isActive()) {
            routeOffline(); // closed (or timed out) while logic recorded the route: take it back
            return false;
        }
        LinkServices services = services();
        phase = AUTHENTICATED;
        heartbeatIntervalMs = services.settings().heartbeatIntervalMs();
        services.unauthenticated().leave();
        lastReadMs = monotonicMs(services.clock());
        inboxAdvanced(inboxHeadSeq);
        ClientSession replaced = services.sessions().add(this);
        if (replaced != null) {
            services.metrics().closed(CloseReason.REPLACED);
            replaced.goAwayAndClose(ErrorCode.REPLACED, "replaced by a newer connection of the same device");
        }
        shared.raiseFrameLimit(ctx.pipeline());
        reply(answer);
        // After the registry holds the link (a session end arriving from now on finds it there):
        // one that arrived while the login was on its way here is applied now.
        SessionEnd ended = services.endedSessions().of(connId);
        if (ended != null) {
            end(ended.getCode(), ended.getReason());
        }
        return true;
    }

    // ---------------------------------------------------------------- requests (called by RequestRouter, on the loop)

    /** Takes an in-flight slot; false when {@link LinkSettings#inflightCountMax()} are taken. */
    boolean tryBeginRequest() {
        if (inflightCount >= services().settings().inflightCountMax()) {
            return false;
        }
        inflightCount++;
        return true;
    }

    /** The answer to a forwarded request arrived: its slot is free and the answer is sent if it fits. */
    void answerForwarded(ServerFrame answer) {
        inflightCount--;
        reply(answer);
    }

    /** A refresh gave the link a new access token: the link lives until it expires. */
    void tokenRenewed(long expiresAtMs) {
        tokenExpiresAtMs = Math.max(tokenExpiresAtMs, expiresAtMs);
    }

    /** The client says it heartbeats at {@code declaredMs} now (adaptive heartbeats); 0: the suggested interval. */
    void heartbeatsEvery(int declaredMs) {
        heartbeatIntervalMs = services().settings().heartbeatIntervalOf(declaredMs);
    }

    long latestInboxSeq() {
        return latestInboxSeq;
    }

    /** Raises the known inbox head; it never moves backwards. */
    void inboxAdvanced(long seq) {
        latestInboxSeq = Math.max(latestInboxSeq, seq);
    }

    Caller caller(long requestId) {
        return Caller.newBuilder().setUserId(device.userId()).setDeviceId(device.deviceId())
                .setAccessNode(services().accessNode()).setConnId(connId).setLoginAtMs(loginAtMs).setRequestId(requestId).build();
    }

    /**
     * Writes the answer to a request, unless it would take the link's queued output above
     * {@link LinkSettings#outboundBytesMax()}: then the answer is dropped and the link cut.
     */
    void reply(ServerFrame answer) {
        if (phase == CLOSED || !ctx.channel().isActive()) {
            return;
        }
        long frameBytes = FrameLimits.LENGTH_PREFIX_BYTES + (long) answer.getSerializedSize() + QUEUED_FRAME_OVERHEAD_BYTES;
        if (queuedBytes() + frameBytes > services().settings().outboundBytesMax()) {
            services().metrics().closed(CloseReason.OUTBOUND_FULL);
            log.info("link cut: its queued output would pass the outbound limit link={} queued_bytes={} reply_bytes={} outbound_bytes_max={}",
                    this, queuedBytes(), frameBytes, services().settings().outboundBytesMax());
            ctx.close();
            return;
        }
        ctx.writeAndFlush(answer, ctx.voidPromise());
    }

    /** Bytes waiting in Netty's outbound buffer, as the watermarks count them. */
    private long queuedBytes() {
        ChannelOutboundBuffer queue = ctx.channel().unsafe().outboundBuffer();
        return queue == null ? 0 : queue.totalPendingWriteBytes();
    }

    /** Sends a last frame and closes at once, without waiting for the frame to leave: a link being closed holds nothing. */
    void closeWith(ServerFrame last) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(last, ctx.voidPromise());
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- deadlines (called by LinkSweep, on the loop)

    /** Milliseconds of the monotonic clock, as an int that wraps (see {@link #lastReadMs}). */
    static int monotonicMs(Clock clock) {
        return (int) TimeUnit.NANOSECONDS.toMillis(clock.nanoTime());
    }

    /**
     * Acts on the first deadline of the link's phase that has passed.
     *
     * @param nowMs {@link #monotonicMs} now
     * @param wallNowMs wall-clock time now (token expiry is wall-clock time)
     */
    void sweep(int nowMs, long wallNowMs) {
        if (!ctx.channel().isActive()) {
            return; // closed: it leaves the sweep when its close completes
        }
        LinkSettings settings = services().settings();
        if (phase == OPEN || phase == AUTHENTICATING) {
            if (nowMs - lastReadMs >= settings.authTimeoutMs()) {
                services().metrics().closed(CloseReason.AUTH_TIMEOUT);
                closeWith(Frames.error(0, ErrorCode.UNAUTHENTICATED, "no auth within " + settings.authTimeoutMs() + " ms", true));
            }
        } else if (phase == AUTHENTICATED) {
            if (readsPaused() && stalled(nowMs, settings.unwritableTimeoutMs())) {
                services().metrics().closed(CloseReason.SLOW_READER);
                log.info("link cut: it read none of its queued output within the unwritable timeout link={} queued_bytes={} unwritable_timeout_ms={}",
                        this, queuedBytes(), settings.unwritableTimeoutMs());
                ctx.close();
            } else if (!readsPaused() && nowMs - lastReadMs >= settings.idleTimeoutOf(heartbeatIntervalMs)) {
                services().metrics().closed(CloseReason.IDLE);
                closeWith(Frames.goAway("idle: no heartbeat within the idle timeout", 0));
            } else if (wallNowMs >= tokenExpiresAtMs) {
                services().metrics().closed(CloseReason.TOKEN_EXPIRED);
                closeWith(Frames.goAway(ErrorCode.TOKEN_EXPIRED, "token expired: reconnect with a fresh token"));
            }
        }
    }

    /**
     * Whether the node stopped reading the link because it went above its high watermark: the
     * channel's autoRead is that flag (only this class turns it off), so the link needs no field.
     */
    private boolean readsPaused() {
        return !ctx.channel().config().isAutoRead();
    }

    /**
     * Whether a link above its high watermark has drained nothing for {@code timeoutMs}. A slow
     * link that keeps reading (a 2G phone fetching a 512 KiB sync page takes half a minute) drains
     * a little between sweeps and restarts the bound; a client that stopped reading does not.
     */
    private boolean stalled(int nowMs, int timeoutMs) {
        int queued = (int) Math.min(Integer.MAX_VALUE, queuedBytes());
        if (queued < queuedWhenSweptBytes) {
            unwritableSinceMs = nowMs;
        }
        queuedWhenSweptBytes = queued;
        return nowMs - unwritableSinceMs >= timeoutMs;
    }

    // ---------------------------------------------------------------- ClientSession (any thread)

    @Override
    public DeviceKey device() {
        return device;
    }

    @Override
    public long connId() {
        return connId;
    }

    /**
     * Read from another thread without a lock: presence is soft state, and a read a few
     * milliseconds stale only moves when a device shows as offline by as much.
     */
    @Override
    public boolean present() {
        return phase == AUTHENTICATED && ctx.channel().isActive()
                && monotonicMs(services().clock()) - lastReadMs < LinkSettings.presenceWindowOf(heartbeatIntervalMs);
    }

    @Override
    public void push(Notify notify) {
        onLoop(() -> {
            if (notify.getStream() == Stream.STREAM_INBOX) {
                inboxAdvanced(notify.getSeq()); // a large group's notify carries a conv_seq, not an inbox seq
            }
            if (phase != AUTHENTICATED || !ctx.channel().isActive()) {
                return;
            }
            if (!ctx.channel().isWritable()) {
                services().metrics().notifySkippedUnwritable();
                return;
            }
            ctx.writeAndFlush(ServerFrame.newBuilder().setRequestId(0).setNotify(notify).build(), ctx.voidPromise());
            services().metrics().notifyPushed();
        });
    }

    @Override
    public void goAway(String reason, int retryAfterMs, List<String> accessAddresses) {
        onLoop(() -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(Frames.goAway(reason, retryAfterMs, accessAddresses), ctx.voidPromise());
            }
        });
    }

    /**
     * Read from the draining thread without a lock: the drain polls it until it reads 0, and a
     * read a poll stale only delays the link's close by one poll.
     */
    @Override
    public int requestsInFlight() {
        return inflightCount;
    }

    @Override
    public void goAwayAndClose(ErrorCode code, String reason) {
        onLoop(() -> end(code, reason));
    }

    /** The session ends (logged out, logged in elsewhere, replaced): GoAway with the code, then closed. On the loop. */
    void end(ErrorCode code, String reason) {
        if (phase == CLOSED) {
            return;
        }
        services().metrics().sessionEnded(code);
        closeWith(Frames.goAway(code, reason));
    }

    @Override
    public void close() {
        ctx.channel().close();
    }

    /**
     * Runs {@code task} on the link's event loop (at once when already there). A failure in it is
     * the link's failure ({@link LinkErrors}); a loop that no longer takes tasks is shutting down
     * with the node, and the link with it.
     */
    void onLoop(Runnable task) {
        EventExecutor loop = ctx.executor();
        if (loop.inEventLoop()) {
            runGuarded(task);
            return;
        }
        try {
            loop.execute(() -> runGuarded(task));
        } catch (RejectedExecutionException e) {
            log.debug("link task dropped: its event loop is shutting down link={}", this);
        }
    }

    private void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            shared.errors().caught(this, e);
        }
    }

    void routeOffline() {
        services().logic().call(LogicRequest.newBuilder().setCaller(caller(0)).setRoute(RouteUpdate.newBuilder().setOnline(false)).build());
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    /** The client's IP address; null on a channel without one (tests' embedded channels). */
    InetAddress address() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : null;
    }

    @Override
    public String toString() {
        return device == null ? "peer=" + (ctx == null ? "?" : ctx.channel().remoteAddress())
                : "user=" + device.userId() + " device=" + device.deviceId() + " conn=" + connId;
    }
}

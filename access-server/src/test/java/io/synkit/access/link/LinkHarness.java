package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.synkit.access.limit.RateLimit;
import io.synkit.access.limit.RateLimiter;
import io.synkit.access.session.EndedSessions;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.HeartbeatRequest;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.runtime.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Links of one simulated access node on embedded channels: the production pipeline
 * ({@link LinkPipeline}) with a {@link FakeLogic}, a {@link ManualClock} and one {@link LinkSweep}
 * the test runs by hand, so every deadline happens when the test says. The monotonic clock
 * starts one second before the links' int milliseconds wrap, so deadlines are checked across the
 * wrap too. Frames in and out are real bytes; every buffer read back is released.
 */
public final class LinkHarness implements AutoCloseable {

    /** One second before {@code (int) ms} of the monotonic clock wraps to negative. */
    static final long START_NS = TimeUnit.MILLISECONDS.toNanos(Integer.MAX_VALUE - 1000L);
    static final long START_WALL_MS = 1_767_139_200_000L;

    public final ManualClock clock = new ManualClock(START_WALL_MS, START_NS);
    public final FakeLogic logic = new FakeLogic();
    public final SessionRegistry sessions = new SessionRegistry();
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final RecordedHalt halt = new RecordedHalt();
    public final TokenCodec tokens = new TokenCodec(AuthKeys.dev(), clock);
    /** Lifetime of the access tokens links mint from refresh tokens. */
    public static final long ACCESS_TOKEN_TTL_MS = 3_600_000;
    public final LinkSettings settings;
    public final LinkSweep sweep = new LinkSweep(clock, halt);
    public final UnauthenticatedLinks unauthenticated;
    public final EndedSessions endedSessions;
    public final LoginSlots logins;
    private final LinkPipeline pipeline;
    private final List<SlowReaderChannel> channels = new ArrayList<>();
    private long nextRequestId = 1;

    public LinkHarness() {
        this(settings(2));
    }

    public LinkHarness(LinkSettings settings) {
        this(settings, RateLimit.off("access.limit.user."));
    }

    /** Links with these settings whose users are limited by {@code userLimit} (addresses are not: embedded channels have none). */
    public LinkHarness(LinkSettings settings, RateLimit userLimit) {
        this(settings, userLimit, 1 << 20);
    }

    /** As above, with at most {@code loginsMax} logins on their way to logic at once. */
    public LinkHarness(LinkSettings settings, RateLimit userLimit, int loginsMax) {
        this.logins = new LoginSlots(loginsMax);
        this.settings = settings;
        this.unauthenticated = new UnauthenticatedLinks(settings.unauthenticatedLinksMax());
        this.endedSessions = new EndedSessions(clock, settings.authTimeoutMs(), 1024);
        AtomicLong connIds = new AtomicLong(1000);
        this.pipeline = new LinkPipeline(new LinkServices(settings, tokens, sessions, logic, "access-1:7101", connIds::incrementAndGet, clock,
                loop -> sweep, unauthenticated, new LinkMetrics(registry), halt, endedSessions, ACCESS_TOKEN_TTL_MS,
                new RateLimiter<>(RateLimit.off("access.limit.address."), false, clock, 1, registry, "address"),
                new RateLimiter<>(userLimit, true, clock, 1024, registry, "user"), logins, List.of("access-2:7100", "access-3:7100"), 0), null);
    }

    /**
     * Test settings: heartbeat 30 s, idle 90 s, auth 10 s, 4 requests in flight, frames of 64 KiB
     * (1 KiB before auth), watermarks 1 KiB / 4 KiB, outbound limit 72 KiB, unwritable 30 s,
     * sweep 1 s, {@code unauthenticatedMax} links waiting for auth, refused ones told 1 s.
     */
    public static LinkSettings settings(int unauthenticatedMax) {
        return new LinkSettings(30_000, 90_000, 10_000, 4, 64 * 1024, 1024, 1024, 4096, 72 * 1024, 30_000, 1000,
                unauthenticatedMax, 1000, 4096, 300_000);
    }

    /** A new link, open and not authenticated. */
    /** The gate a plain-TCP listener of this harness's node would put before its links ({@link AcceptGate}). */
    public io.netty.channel.ChannelHandler acceptGate() {
        return pipeline.acceptGate();
    }

    public SlowReaderChannel connect() throws Exception {
        SlowReaderChannel channel = new SlowReaderChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(settings.writeBufferLowBytes(), settings.writeBufferHighBytes()));
        channel.pipeline().addLast(pipeline);
        channel.register();
        channels.add(channel);
        return channel;
    }

    /** A new WebSocket link (not upgraded yet) whose upgrade path is {@code path}. */
    public SlowReaderChannel connectWebSocket(String path) throws Exception {
        SlowReaderChannel channel = new SlowReaderChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(settings.writeBufferLowBytes(), settings.writeBufferHighBytes()));
        channel.pipeline().addLast(new WebSocketLinkPipeline(pipeline, path));
        channel.register();
        channels.add(channel);
        return channel;
    }

    /** A link authenticated as {@code user}/{@code device}; its AuthResponse has been read. */
    public SlowReaderChannel authenticated(long user, String device) throws Exception {
        SlowReaderChannel channel = connect();
        send(channel, auth(user, device, TimeUnit.HOURS.toMillis(24)));
        ServerFrame answer = onlyReceived(channel);
        assertTrue(answer.hasAuth(), "auth answered " + answer);
        return channel;
    }

    public ClientFrame auth(long user, String device, long tokenTtlMs) {
        return ClientFrame.newBuilder().setRequestId(nextRequestId++)
                .setAuth(AuthRequest.newBuilder().setToken(tokens.issue(user, device, tokenTtlMs)).setClientVersion("test/1")).build();
    }

    public ClientFrame heartbeat() {
        return ClientFrame.newBuilder().setRequestId(nextRequestId++).setHeartbeat(HeartbeatRequest.getDefaultInstance()).build();
    }

    public long nextRequestId() {
        return nextRequestId++;
    }

    /** Writes the frame's bytes into the link, as the client's socket would deliver them. */
    public void send(SlowReaderChannel channel, ClientFrame frame) {
        channel.writeInbound(encode(frame));
    }

    public static ByteBuf encode(ClientFrame frame) {
        byte[] body = frame.toByteArray();
        return ByteBufAllocator.DEFAULT.buffer(FrameLimits.LENGTH_PREFIX_BYTES + body.length).writeInt(body.length).writeBytes(body);
    }

    /** Every frame the link has delivered to its peer since the last call, parsed; their buffers are released. */
    public List<ServerFrame> received(SlowReaderChannel channel) throws Exception {
        channel.runPendingTasks();
        List<ServerFrame> frames = new ArrayList<>();
        for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
            try {
                int frameBytes = bytes.readInt();
                assertEquals(frameBytes, bytes.readableBytes(), "one frame per buffer");
                ByteBuffer body = bytes.nioBuffer();
                frames.add(ServerFrame.parseFrom(body));
            } finally {
                bytes.release();
            }
        }
        return frames;
    }

    public ServerFrame onlyReceived(SlowReaderChannel channel) throws Exception {
        List<ServerFrame> frames = received(channel);
        assertEquals(1, frames.size(), "frames received: " + frames);
        return frames.get(0);
    }

    /** Moves the clock and runs the sweep, then the tasks it left on the links' loops (closes). */
    public void advanceAndSweep(long ms) {
        clock.advanceMs(ms);
        sweep.run();
        channels.forEach(SlowReaderChannel::runPendingTasks);
    }

    public double count(String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        for (SlowReaderChannel channel : channels) {
            channel.peerReads(true);
            channel.finishAndReleaseAll();
        }
    }
}

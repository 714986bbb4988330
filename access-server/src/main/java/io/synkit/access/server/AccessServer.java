package io.synkit.access.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.synkit.access.health.Halt;
import io.synkit.access.health.LoopWatchdog;
import io.synkit.access.health.ReadyProbe;
import io.synkit.access.limit.RateLimiter;
import io.synkit.access.link.LinkMetrics;
import io.synkit.access.link.FallbackOrder;
import io.synkit.access.link.LinkPipeline;
import io.synkit.access.link.LinkServices;
import io.synkit.access.link.LinkSettings;
import io.synkit.access.link.LinkSweeps;
import io.synkit.access.link.LoginSlots;
import io.synkit.access.link.LogicNodes;
import io.synkit.access.link.UnauthenticatedLinks;
import io.synkit.access.push.PushService;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.DeviceKey;
import io.synkit.access.session.EndedSessions;
import io.synkit.access.link.WebSocketLinkPipeline;
import io.synkit.access.tls.TlsFiles;
import io.netty.channel.ChannelInitializer;
import java.nio.file.Path;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.rpc.InternalTls;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.AdminServer;
import io.synkit.runtime.Clock;
import io.synkit.runtime.ListenException;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An access node: the client listener (pipeline in {@link LinkPipeline}), the push RPC port logic
 * nodes notify through, the admin port, and the node's watch over itself: a {@link LoopWatchdog}
 * over every event loop (a stalled loop makes the node not ready, a dead or long-stalled one halts
 * it) and, with an admin port, a {@link ReadyProbe} that logs in to the node every interval
 * (readiness is the last probe's outcome). SIGTERM drains: stop accepting, tell every link to go
 * away (with jittered retry-after so reconnects spread), wait for links to leave up to the drain
 * timeout, then close.
 */
public final class AccessServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessServer.class);

    /** One thread accepts: accepting is cheap, and one loop keeps the listener's order simple. */
    private static final int ACCEPT_THREADS = 1;
    /** How often a draining node looks whether its links have left. */
    private static final long DRAIN_POLL_MS = 50;
    private static final long LOOP_SHUTDOWN_TIMEOUT_MS = 1000;
    /**
     * Session ends remembered for links still authenticating, at most: one per link that can be
     * authenticating at once is plenty ({@code access.links.unauthenticated.max} is at most 1,000,000).
     */
    private static final int ENDED_SESSIONS_KEPT_MAX = 65_536;
    /** How often the rate limits forget keys that behave (full bucket, no recent block). */
    private static final long LIMIT_SWEEP_INTERVAL_MS = 1000;

    private final AccessConfig config;
    private final Clock clock;
    private final Halt halt;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SessionRegistry sessions = new SessionRegistry();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private RpcClientPool logicClients;
    private RpcServer push;
    private Channel listener;
    private Channel webSocketListener;
    private TlsFiles tls;
    private AdminServer admin;
    private InetSocketAddress clientAddress;
    private UnauthenticatedLinks unauthenticated;
    private RateLimiter<InetAddress> addressLimits;
    private LoginSlots logins;
    private RateLimiter<Long> userLimits;
    private LoopWatchdog watchdog;
    private ReadyProbe readyProbe;
    private ScheduledExecutorService healthThreads;
    private volatile boolean draining;
    private boolean closed;
    /** What a drain waits for now, for {@code /status} (an operator sees why it has not finished). */
    private volatile String drainPhase = "";

    public AccessServer(AccessConfig config) {
        this(config, Clock.SYSTEM, Halt.PROCESS);
    }

    /** @param halt what a fatal error (OutOfMemoryError, a dead event loop) does: end the process, or a test's record of it */
    public AccessServer(AccessConfig config, Clock clock, Halt halt) {
        this.config = config;
        this.clock = clock;
        this.halt = halt;
    }

    public AccessServer start() throws InterruptedException, IOException {
        LinkSettings link = config.link();
        boss = NettyThreads.group("access-accept", ACCEPT_THREADS);
        workers = NettyThreads.group("access-io", config.ioThreads());
        InternalTls internalTls = config.internalTls().open(clock);
        EndedSessions endedSessions = new EndedSessions(clock, link.authTimeoutMs(), ENDED_SESSIONS_KEPT_MAX);
        push = new RpcServer("access-push", new PushService(sessions, endedSessions, metrics, halt), FrameLimits.internal(), internalTls);
        InetSocketAddress pushAddress = push.start(boss, workers, new InetSocketAddress(config.bindHost(), config.pushPort()));
        String accessNode = config.advertisedHost() + ":" + pushAddress.getPort();
        logicClients = new RpcClientPool(workers, FrameLimits.internal(), config.logicInflightCallsMax(), internalTls);
        AtomicLong connIds = new AtomicLong(new SplittableRandom(new SecureRandom().nextLong()).nextLong(1, Long.MAX_VALUE >> 16) << 16);
        unauthenticated = new UnauthenticatedLinks(link.unauthenticatedLinksMax());
        logins = new LoginSlots(config.authInflightMax());
        addressLimits = new RateLimiter<>(config.addressLimit(), false, clock, config.limitKeysMax(), metrics, "address");
        userLimits = new RateLimiter<>(config.userLimit(), true, clock, config.limitKeysMax(), metrics, "user");
        TokenCodec tokens = new TokenCodec(config.authKeys(), clock);
        LinkServices services = new LinkServices(link, tokens, sessions,
                new LogicNodes(logicClients, config.logicNodes(), config.logicTimeoutMs()), accessNode, connIds::incrementAndGet, clock,
                LinkSweeps.start(workers, clock, halt, link.sweepIntervalMs()), unauthenticated, new LinkMetrics(metrics), halt, endedSessions,
                config.accessTokenTtlMs(), addressLimits, userLimits, logins, config.peerAddresses(), config.redirectAboveLinks());
        registerGauges();
        tls = config.tls() ? TlsFiles.load(Path.of(config.tlsCertFile()), Path.of(config.tlsKeyFile()), metrics) : null;
        LinkPipeline pipeline = new LinkPipeline(services, tls);
        listener = listen(new InetSocketAddress(config.bindHost(), config.port()), pipeline, tls == null ? pipeline.acceptGate() : null);
        clientAddress = (InetSocketAddress) listener.localAddress();
        if (config.webSocketPort() >= 0) {
            webSocketListener = listen(new InetSocketAddress(config.bindHost(), config.webSocketPort()),
                    new WebSocketLinkPipeline(pipeline, config.webSocketPath()), null);
        }
        startHealth(tokens, accessNode);
        if (config.adminPort() >= 0) {
            admin = new AdminServer(new InetSocketAddress(config.bindHost(), config.adminPort()), metrics, this::notReadyReason, this::status);
        }
        log.info("access node started clients={} push={}", clientAddress, accessNode);
        return this;
    }

    /** A client listener: every link gets {@code pipeline}; {@code gate} (null: none) sees each accepted link first, on the accept thread. */
    private Channel listen(InetSocketAddress address, ChannelInitializer<Channel> pipeline, ChannelHandler gate) throws InterruptedException {
        LinkSettings link = config.link();
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (gate != null) {
            bootstrap.handler(gate);
        }
        ChannelFuture bound = bootstrap
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, config.listenBacklogConnections())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(link.writeBufferLowBytes(), link.writeBufferHighBytes()))
                // Fixed-size reads, one allocator for all links: see LinkSettings.readBufferBytes.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(link.readBufferBytes()))
                .childHandler(pipeline)
                .bind(address).await();
        if (!bound.isSuccess()) {
            throw new ListenException(address, bound.cause());
        }
        return bound.channel();
    }

    /** The WebSocket client listener's address; null without one. */
    public InetSocketAddress webSocketAddress() {
        return webSocketListener == null ? null : (InetSocketAddress) webSocketListener.localAddress();
    }

    /** Reads the TLS files again now if they changed (what the node does every access.tls.reload.interval.ms); false without TLS. */
    public boolean reloadTls() {
        return tls != null && tls.reloadIfChanged();
    }

    private void registerGauges() {
        Gauge.builder("synkit_access_sessions", sessions, SessionRegistry::size).register(metrics);
        Gauge.builder("synkit_access_links_unauthenticated", unauthenticated, UnauthenticatedLinks::count).register(metrics);
        Gauge.builder("synkit_access_rate_keys", addressLimits, RateLimiter::keyCount).tag("scope", "address").register(metrics);
        Gauge.builder("synkit_access_logins_in_flight", logins, LoginSlots::taken).register(metrics);
        Gauge.builder("synkit_access_rate_keys", userLimits, RateLimiter::keyCount).tag("scope", "user").register(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
    }

    /** The watchdog always (a dead loop must end the process); the login probe only where readiness can be asked (admin port). */
    private void startHealth(TokenCodec tokens, String accessNode) {
        List<EventExecutor> loops = new ArrayList<>();
        boss.forEach(loops::add);
        workers.forEach(loops::add);
        watchdog = new LoopWatchdog("access-loop", loops, config.health().loopProbeIntervalMs(), config.health().stallUnreadyTicks(),
                config.health().stallExitTicks(), halt);
        healthThreads = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "access-health");
            thread.setDaemon(true);
            return thread;
        });
        healthThreads.scheduleWithFixedDelay(guarded(watchdog::tick), 0, config.health().loopProbeIntervalMs(), TimeUnit.MILLISECONDS);
        healthThreads.scheduleWithFixedDelay(guarded(() -> {
            addressLimits.sweep();
            userLimits.sweep();
        }), LIMIT_SWEEP_INTERVAL_MS, LIMIT_SWEEP_INTERVAL_MS, TimeUnit.MILLISECONDS);
        if (tls != null) {
            healthThreads.scheduleWithFixedDelay(guarded(tls::reloadIfChanged), config.tlsReloadIntervalMs(), config.tlsReloadIntervalMs(),
                    TimeUnit.MILLISECONDS);
        }
        if (config.adminPort() >= 0) {
            readyProbe = new ReadyProbe(clientAddress, tokens, new DeviceKey(config.health().readyProbeUserId(),
                    ReadyProbe.deviceId(config.health().readyProbeDeviceId(), accessNode)),
                    config.health().readyProbeTimeoutMs(), metrics.counter("synkit_access_ready_probe_failed"), tls == null ? null : tls::probeSockets);
            healthThreads.scheduleWithFixedDelay(guarded(readyProbe::run), 0, config.health().readyProbeIntervalMs(), TimeUnit.MILLISECONDS);
        }
    }

    /** A periodic task that a failure neither ends (a throwing periodic task is never run again) nor hides (a JVM error halts). */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                halt.ifFatal(e);
                log.warn("health task failed reason=\"{}\"", e.toString());
            }
        };
    }

    /** Why the node should get no new clients now, or null when it should: draining, a stalled event loop, or a failed login probe. */
    public String notReadyReason() {
        if (draining) {
            return "draining";
        }
        String stalled = watchdog.stalledReason();
        if (stalled != null) {
            return stalled;
        }
        return readyProbe == null ? null : readyProbe.failureReason();
    }

    /** Runs the login probe now (tests; an admin port is needed) and returns the readiness it leads to. */
    public String probeReadiness() {
        if (readyProbe == null) {
            throw new IllegalStateException("the login probe runs only with an admin port (access.admin.port >= 0)");
        }
        readyProbe.run();
        return notReadyReason();
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    public String clientHostPort() {
        return clientAddress.getHostString() + ":" + clientAddress.getPort();
    }

    /** The admin HTTP address; null without an admin port. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int unauthenticatedCount() {
        return unauthenticated.count();
    }

    /** The node's metrics, as {@code /metrics} shows them. */
    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public String status() {
        return "role=access clients=" + clientHostPort() + " state=" + (draining ? "draining (" + drainPhase + ")" : "serving") + " sessions=" + sessions.size()
                + " unauthenticated=" + unauthenticated.count();
    }

    /**
     * Drains the node for a restart: stops accepting at once (a client's connect is refused and it
     * tries its next address), tells every link to go away, in batches of
     * {@code access.drain.goaway.batch.links} every {@code access.drain.goaway.batch.interval.ms}
     * with a jittered retry-after and the other access nodes' addresses (so the clients do not all
     * come back at once or all to one node), and waits for the links to leave up to the drain
     * timeout. Then it closes the links with no request in flight at once, and each other one as
     * soon as its requests are answered, waiting at most the logic timeout (by then every request
     * has an answer or its TIMEOUT): a request in flight is not cut off by the drain.
     */
    public void drain() {
        drainPhase = "waiting for links to leave";
        draining = true;
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (webSocketListener != null) {
            webSocketListener.close().syncUninterruptibly();
        }
        long deadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMs());
        SplittableRandom jitter = new SplittableRandom();
        List<ClientSession> links = List.copyOf(sessions.all());
        for (int start = 0; start < links.size(); start += config.drainGoAwayBatchLinks()) {
            if (start > 0 && !pause(config.drainGoAwayBatchIntervalMs())) {
                break;
            }
            for (ClientSession session : links.subList(start, Math.min(links.size(), start + config.drainGoAwayBatchLinks()))) {
                session.goAway("server draining for restart", config.drainRetryAfterMinMs() + jitter.nextInt(Math.max(1, config.drainTimeoutMs())),
                        FallbackOrder.of(config.peerAddresses(), jitter::nextInt));
            }
        }
        while (sessions.size() > 0 && clock.nanoTime() < deadlineNs && pause(DRAIN_POLL_MS)) {
            // links close on their own schedule, after their clients' last answers
        }
        drainPhase = "closing links once their requests are answered";
        long inflightDeadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.logicTimeoutMs());
        do {
            for (ClientSession session : sessions.all()) {
                if (session.requestsInFlight() == 0) {
                    session.close();
                }
            }
        } while (sessions.size() > 0 && clock.nanoTime() < inflightDeadlineNs && pause(DRAIN_POLL_MS));
        for (ClientSession session : sessions.all()) {
            session.close();
        }
    }

    /** Sleeps on the draining thread (a shutdown path polling, not a test); false if interrupted. */
    private static boolean pause(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the node; a second call does nothing (a shutdown hook and its owner may both close it). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watchdog != null) {
            // Before the loops shut down: a loop that stops now is the node stopping, not dying.
            watchdog.stop();
            healthThreads.shutdownNow();
        }
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (webSocketListener != null) {
            webSocketListener.close().syncUninterruptibly();
        }
        for (ClientSession session : sessions.all()) {
            session.close();
        }
        if (push != null) {
            push.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (logicClients != null) {
            logicClients.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, LOOP_SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, LOOP_SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        log.info("access node stopped");
    }
}

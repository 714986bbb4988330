package io.synkit.access.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.synkit.access.link.AuthHandler;
import io.synkit.access.link.IdleEvictor;
import io.synkit.access.link.LinkErrors;
import io.synkit.access.link.LinkServices;
import io.synkit.access.link.LogicClient;
import io.synkit.access.link.RequestRouter;
import io.synkit.access.push.PushService;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.AdminServer;
import io.synkit.runtime.Clock;
import io.synkit.runtime.ListenException;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An access node: the client listener (frame, decode, idle, auth, route: one handler each), the
 * push RPC port logic nodes notify through, and the admin port. SIGTERM drains: stop accepting,
 * tell every link to go away (with jittered retry-after so reconnects spread), wait for in-flight
 * requests up to the drain timeout, then close.
 */
public final class AccessServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessServer.class);

    private final AccessConfig config;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SessionRegistry sessions = new SessionRegistry();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private RpcClientPool logicClients;
    private RpcServer push;
    private Channel listener;
    private AdminServer admin;
    private InetSocketAddress clientAddress;
    private volatile boolean draining;

    public AccessServer(AccessConfig config) {
        this.config = config;
    }

    public AccessServer start() throws InterruptedException, IOException {
        boss = NettyThreads.group("access-accept", 1);
        workers = NettyThreads.group("access-io", config.ioThreads());
        push = new RpcServer("access-push", new PushService(sessions, metrics), FrameLimits.internal());
        InetSocketAddress pushAddress = push.start(boss, workers, new InetSocketAddress(config.bindHost(), config.pushPort()));
        String accessNode = config.advertisedHost() + ":" + pushAddress.getPort();
        logicClients = new RpcClientPool(workers, FrameLimits.internal(), 100_000);
        AtomicLong connIds = new AtomicLong(new SplittableRandom(new SecureRandom().nextLong()).nextLong(1, Long.MAX_VALUE >> 16) << 16);
        LinkServices services = new LinkServices(config.link(), new TokenCodec(config.authKeys(), Clock.SYSTEM), sessions,
                new LogicClient(logicClients, config.logicNodes(), config.logicTimeoutMs()), accessNode, connIds::incrementAndGet,
                Clock.SYSTEM, metrics);
        Gauge.builder("synkit_access_sessions", sessions, SessionRegistry::size).register(metrics);
        FrameEncoder encoder = new FrameEncoder(config.frameLimits());
        LinkErrors errors = new LinkErrors(metrics);
        InetSocketAddress clientBind = new InetSocketAddress(config.bindHost(), config.port());
        ChannelFuture bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frame", new FrameDecoder(config.frameLimits()))
                                .addLast("decode", new ProtoDecoder<>(ClientFrame.parser()))
                                .addLast("encode", encoder)
                                .addLast("idle", new IdleStateHandler(config.link().idleTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("evict", new IdleEvictor())
                                .addLast("auth", new AuthHandler(services))
                                .addLast("route", new RequestRouter(services))
                                .addLast("errors", errors);
                    }
                })
                .bind(clientBind).await();
        if (!bound.isSuccess()) {
            throw new ListenException(clientBind, bound.cause());
        }
        listener = bound.channel();
        clientAddress = (InetSocketAddress) listener.localAddress();
        if (config.adminPort() >= 0) {
            admin = new AdminServer(new InetSocketAddress(config.bindHost(), config.adminPort()), metrics,
                    () -> draining ? "draining" : null, this::status);
        }
        log.info("access node started clients={} push={}", clientAddress, accessNode);
        return this;
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    public String clientHostPort() {
        return clientAddress.getHostString() + ":" + clientAddress.getPort();
    }

    public int sessionCount() {
        return sessions.size();
    }

    public String status() {
        return "role=access clients=" + clientHostPort() + " state=" + (draining ? "draining" : "serving") + " sessions=" + sessions.size();
    }

    /** Stops accepting and asks every link to reconnect elsewhere; returns when links are gone or the timeout passes. */
    public void drain() {
        draining = true;
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        SplittableRandom jitter = new SplittableRandom();
        for (ClientSession session : sessions.all()) {
            int retryAfterMs = 500 + jitter.nextInt(Math.max(1, config.drainTimeoutMs()));
            session.channel().writeAndFlush(ServerFrame.newBuilder().setGoAway(GoAway.newBuilder()
                    .setReason("server draining for restart").setRetryAfterMs(retryAfterMs)).build());
        }
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMs());
        while (sessions.size() > 0 && System.nanoTime() < deadlineNs) {
            try {
                Thread.sleep(50); // polling a shutdown path, not a test: links close on their own schedule
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ClientSession session : sessions.all()) {
            session.channel().close().addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        for (ClientSession session : sessions.all()) {
            session.channel().close().syncUninterruptibly();
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
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        log.info("access node stopped");
    }
}

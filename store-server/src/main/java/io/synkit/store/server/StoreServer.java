package io.synkit.store.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.AdminServer;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.read.StoreReader;
import io.synkit.store.write.LocalCommitter;
import io.synkit.store.write.WritePipeline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One store replica: RocksDB, write pipeline, reader pool, RPC and admin ports. */
public final class StoreServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StoreServer.class);

    private final StoreConfig config;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private StoreEngine engine;
    private WritePipeline pipeline;
    private ThreadPoolExecutor readers;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private RpcServer rpc;
    private AdminServer admin;
    private InetSocketAddress address;

    public StoreServer(StoreConfig config) {
        this.config = config;
    }

    public StoreServer start() throws InterruptedException, IOException {
        engine = new StoreEngine(config.dataDir());
        pipeline = new WritePipeline(engine, new LocalCommitter(engine), Clock.SYSTEM, config.ringSize(), config.batchCommandsMax(), metrics);
        readers = new ThreadPoolExecutor(config.readThreads(), config.readThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.readQueueMax()), new io.netty.util.concurrent.DefaultThreadFactory("store-reader", true));
        StoreService service = new StoreService(pipeline, new StoreReader(engine, Clock.SYSTEM, config.readOpsMax()), readers);
        boss = NettyThreads.group("store-accept", 1);
        workers = NettyThreads.group("store-io", 2);
        rpc = new RpcServer("store", service, FrameLimits.internal());
        address = rpc.start(boss, workers, new InetSocketAddress(config.bindHost(), config.port()));
        if (config.adminPort() >= 0) {
            admin = new AdminServer(new InetSocketAddress(config.bindHost(), config.adminPort()), metrics,
                    pipeline::failure, this::status);
        }
        log.info("store replica started set={} address={} data={}", config.setId(), address, config.dataDir());
        return this;
    }

    public InetSocketAddress address() {
        return address;
    }

    public String hostPort() {
        return address.getHostString() + ":" + address.getPort();
    }

    public String status() {
        String failure = pipeline.failure();
        return "role=store set=" + config.setId() + " address=" + hostPort() + " state=" + (failure == null ? "serving" : "stopped")
                + (failure == null ? "" : " reason=\"" + failure + "\"");
    }

    /** Stops taking requests, lets queued writes commit, then closes RocksDB. */
    @Override
    public void close() {
        if (rpc != null) {
            rpc.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (readers != null) {
            readers.shutdown();
            try {
                readers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (engine != null) {
            engine.close();
        }
        log.info("store replica stopped set={}", config.setId());
    }
}

package io.synkit.store.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.HandOverResponse;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.rpc.InternalTls;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.protocol.slot.SlotMapWatcher;
import io.synkit.runtime.AdminServer;
import io.synkit.runtime.BuildInfo;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.log.FileLogStorage;
import io.synkit.store.read.StoreReader;
import io.synkit.store.replication.ReplicaGate;
import io.synkit.store.replication.ReplicaLoop;
import io.synkit.store.replication.ReplicaNode;
import io.synkit.store.replication.ReplicaRole;
import io.synkit.store.replication.RpcTransport;
import io.synkit.store.slot.SlotOwnership;
import io.synkit.store.snapshot.RocksSnapshots;
import io.synkit.store.state.RocksStateMachine;
import io.synkit.store.write.Committer;
import io.synkit.store.write.LocalCommitter;
import io.synkit.store.write.ReplicatedCommitter;
import io.synkit.store.write.WritePipeline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One store replica: RocksDB, write pipeline, reader pool, RPC and admin ports, and for a
 * replicated SET the replica's log, state machine, snapshots and the loop its
 * {@link ReplicaNode} runs on, all built here from {@link StoreConfig} and handed in.
 */
public final class StoreServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StoreServer.class);

    private final StoreConfig config;
    private final Clock clock;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private StoreEngine engine;
    private WritePipeline pipeline;
    private ThreadPoolExecutor readers;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private RpcServer rpc;
    private AdminServer admin;
    private InetSocketAddress address;
    private RpcClientPool peers;
    private StoreService service;
    private FileLogStorage replicationLog;
    private RocksSnapshots snapshots;
    private ReplicaLoop replication;
    private ReplicaGate gate = ReplicaGate.SINGLE;
    private ReplicaHealth health;
    /** Null: plain TCP. */
    private InternalTls tls;
    private RpcClientPool metaClients;
    private SlotMapWatcher slotMaps;
    private SlotOwnership ownership = SlotOwnership.UNCHECKED;

    public StoreServer(StoreConfig config) {
        this(config, Clock.SYSTEM);
    }

    public StoreServer(StoreConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public StoreServer start() throws InterruptedException, IOException {
        tls = config.tls().open(clock);
        engine = new StoreEngine(config.dataDir().resolve("rocksdb"));
        boss = NettyThreads.group("store-accept", 1);
        workers = NettyThreads.group("store-io", config.ioThreads());
        Committer committer;
        if (config.replicated()) {
            replication = startReplica();
            committer = new ReplicatedCommitter(replication, config.commitWaitMsMax());
            gate = replication;
            health = new ReplicaHealth(replication, config.readyPrimaryGraceMs());
            health.register(metrics, config.setId(), config.replicas().size());
        } else {
            committer = new LocalCommitter(engine);
            gate = ReplicaGate.SINGLE;
        }
        // A SET of one commits each batch with one local fsync: nothing to hide by pipelining.
        int inflightBatchesMax = config.replicated() ? config.inflightBatchesMax() : 1;
        pipeline = new WritePipeline(engine, committer, clock, config.ringSize(), config.batchCommandsMax(), inflightBatchesMax, metrics);
        readers = new ThreadPoolExecutor(config.readThreads(), config.readThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.readQueueMax()), new DefaultThreadFactory("store-reader", true));
        if (!config.metaReplicas().isEmpty()) {
            metaClients = new RpcClientPool(workers, FrameLimits.internal(), config.metaInflightCountMax(), tls);
            slotMaps = new SlotMapWatcher(config.metaReplicas(), metaClients, workers, config.metaPollMs()).start();
            ownership = new SlotOwnership(config.setId(), slotMaps);
        }
        service = new StoreService(pipeline, new StoreReader(engine, clock, config.readOpsMax()), readers, gate,
                replication, this::replicaStatus, ownership, engine);
        rpc = new RpcServer("store", service, FrameLimits.internal(), tls);
        address = rpc.start(boss, workers, new InetSocketAddress(config.bindHost(), config.port()));
        if (replication != null) {
            replication.start();
        }
        if (config.adminPort() >= 0) {
            admin = new AdminServer(new InetSocketAddress(config.bindHost(), config.adminPort()), metrics, this::notReadyReason, this::status);
        }
        log.info("store replica started set={} address={} data={} internal_tls={}", config.setId(), address, config.dataDir(), tls != null);
        return this;
    }

    /** The replica's parts, built from the config: log, state machine over RocksDB, snapshots, transport, node, and its loop (not yet started). */
    private ReplicaLoop startReplica() {
        peers = new RpcClientPool(workers, FrameLimits.internal(), config.peerInflightCountMax(), tls);
        RpcTransport transport = new RpcTransport(peers, config.replicas(), config.replication().sendTimeoutMs());
        replicationLog = new FileLogStorage(config.dataDir().resolve("log"), config.logRetention().segmentBytesMax());
        RocksStateMachine machine = new RocksStateMachine(engine);
        snapshots = new RocksSnapshots(config.replicaIndex(), engine, machine, config.dataDir(), transport, config.replication().snapshotChunkBytes());
        ReplicaNode node = new ReplicaNode(config.replicaIndex(), config.replication(), clock, new SplittableRandom(), transport, replicationLog,
                machine, snapshots, config.joining());
        return new ReplicaLoop(config.setId(), node, config.replication().tickIntervalMs(), config.logRetention(), clock);
    }

    /** The service behind the RPC port, for in-process callers. */
    public StoreService service() {
        return service;
    }

    public InetSocketAddress address() {
        return address;
    }

    public String hostPort() {
        return address.getHostString() + ":" + address.getPort();
    }

    /** Null when ready for traffic; otherwise why not. */
    public String notReadyReason() {
        if (pipeline.failure() != null) {
            return pipeline.failure();
        }
        if (gate.stopReason() != null) {
            return gate.stopReason();
        }
        if (health != null && health.notReadyReason() != null) {
            return health.notReadyReason();
        }
        return ownership.notReadyReason();
    }

    /** The RPC port stays open meanwhile: the backup's acknowledgements arrive there. Bounded by the shutdown wait. */
    private void handOverIfPrimary() {
        if (replication == null || !replication.canTakeWrites()) {
            return;
        }
        try {
            HandOverResponse done = replication.handOver(-1).get(config.shutdownWaitMs(), TimeUnit.MILLISECONDS);
            log.info("stopping primary handed over set={} to={} epoch={}", config.setId(), done.getTargetReplica(), done.getEpoch());
        } catch (ExecutionException | TimeoutException e) {
            log.warn("stopping primary could not hand over set={} reason=\"{}\"; the SET elects after it stops", config.setId(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes stopped for good (a failed commit, a broken invariant): only a restart serves again. */
    private boolean stopped() {
        return pipeline.failure() != null || gate.stopReason() != null;
    }

    public ReplicaStatus replicaStatus() {
        ReplicaStatus.Builder status;
        if (replication != null) {
            status = replication.status().toBuilder();
        } else {
            status = ReplicaStatus.newBuilder().setSetId(config.setId()).setRole(ReplicaRole.PRIMARY.name()).setLeaseValid(true)
                    .setPrimary(address == null ? "" : hostPort());
        }
        BuildInfo build = BuildInfo.current();
        return status.setSlotMapVersion(ownership.version()).setBuildVersion(build.version()).setProtocolVersion(build.protocolVersion()).build();
    }

    public String status() {
        ReplicaStatus replica = replicaStatus();
        String failure = notReadyReason();
        return "role=store set=" + config.setId() + " replica=" + replica.getReplicaIndex() + " address=" + hostPort()
                + " state=" + (failure == null ? "serving" : stopped() ? "stopped" : "unready") + " replica_role=" + replica.getRole() + " epoch=" + replica.getEpoch()
                + " commit_index=" + replica.getCommitIndex() + " applied_index=" + replica.getAppliedIndex()
                + " primary=" + replica.getPrimary() + " lease_valid=" + replica.getLeaseValid() + " slot_map_version=" + replica.getSlotMapVersion()
                + (failure == null ? "" : " reason=\"" + failure + "\"");
    }

    /**
     * A primary first hands its role to its most up-to-date backup (so a SIGTERM, a Kubernetes
     * drain or a rolling restart costs the SET no election timeout); then stops taking requests,
     * lets queued writes commit, and closes the replica's parts and RocksDB.
     */
    @Override
    public void close() {
        handOverIfPrimary();
        if (rpc != null) {
            rpc.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (replication != null) {
            replication.close();
        }
        // After the loop: nothing uses them any more.
        if (snapshots != null) {
            snapshots.close();
        }
        if (replicationLog != null) {
            replicationLog.close();
        }
        if (peers != null) {
            peers.close();
        }
        if (slotMaps != null) {
            slotMaps.close();
            metaClients.close();
        }
        boolean readsFinished = true;
        if (readers != null) {
            // Queued reads are dropped (their callers' connections closed with the RPC server) and
            // running ones finish: RocksDB closed under a running read crashes the process.
            readers.shutdownNow();
            try {
                readsFinished = readers.awaitTermination(config.shutdownWaitMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                readsFinished = false;
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, config.shutdownWaitMs(), TimeUnit.MILLISECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, config.shutdownWaitMs(), TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        if (engine != null) {
            if (readsFinished) {
                engine.close();
            } else {
                // Left as after a crash, which a restart recovers from; the process exit releases it.
                log.warn("store engine left open set={}: reads still running after {} ms", config.setId(), config.shutdownWaitMs());
            }
        }
        log.info("store replica stopped set={}", config.setId());
    }
}

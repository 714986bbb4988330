package io.synkit.store.replication;

import com.google.protobuf.ByteString;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synkit.protocol.internal.HandOverResponse;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.runtime.Clock;
import io.synkit.store.log.LogRetention;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread a production replica's {@link ReplicaNode} lives on: ticks every
 * {@code tickIntervalMs}, takes replication messages from the RPC layer and proposals from the
 * write pipeline, and publishes a snapshot of its state for other threads (readiness, reads,
 * status). Also truncates the log prefix the state machine holds durably ({@link LogRetention}).
 * Owns only its thread: whoever built the node's log, state machine and snapshots closes them
 * after this.
 */
public final class ReplicaLoop implements ReplicaGate, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaLoop.class);
    private static final long CLOSE_WAIT_MS = 5000;

    private final String setId;
    private final ReplicaNode node;
    private final long tickIntervalMs;
    private final LogRetention retention;
    private final Clock clock;
    private final ScheduledExecutorService loop;
    private volatile ReplicaStatus status = ReplicaStatus.getDefaultInstance();
    private volatile long leaseEndNs = Long.MIN_VALUE;
    private volatile long writableEpoch = -1;
    private volatile long primaryContactNs;

    /**
     * @param clock the node's clock: lease ends it publishes are read against it
     */
    public ReplicaLoop(String setId, ReplicaNode node, long tickIntervalMs, LogRetention retention, Clock clock) {
        if (tickIntervalMs < 1) {
            throw new IllegalArgumentException("tickIntervalMs=" + tickIntervalMs + " must be >= 1");
        }
        this.setId = setId;
        this.node = node;
        this.tickIntervalMs = tickIntervalMs;
        this.retention = retention;
        this.clock = clock;
        this.loop = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("replica-loop", true));
        publish();
    }

    public ReplicaLoop start() {
        loop.scheduleAtFixedRate(() -> run(node::tick), tickIntervalMs, tickIntervalMs, TimeUnit.MILLISECONDS);
        loop.scheduleWithFixedDelay(() -> run(() -> node.compactLog(retention.retainEntries(), retention.lagEntriesMax())),
                retention.compactIntervalMs(), retention.compactIntervalMs(), TimeUnit.MILLISECONDS);
        log.info("replica loop started set={} replica={} epoch={} last_index={}", setId, node.id(), node.epoch(), node.lastIndex());
        return this;
    }

    public void receive(ReplicationMessage message) {
        loop.execute(() -> run(() -> node.receive(message)));
    }

    /** The epoch in which this replica is a writable primary now, or -1. */
    public long writableEpoch() {
        return writableEpoch;
    }

    /** Proposes a batch for {@code expectedEpoch}; completes (on the loop thread) when it is committed and applied here. */
    public CompletableFuture<Long> propose(ByteString payload, long expectedEpoch) {
        CompletableFuture<Long> applied = new CompletableFuture<>();
        loop.execute(() -> run(() -> node.propose(payload, expectedEpoch).whenComplete((index, failure) -> {
            if (failure == null) {
                applied.complete(index);
            } else {
                applied.completeExceptionally(failure);
            }
        })));
        return applied;
    }

    /**
     * Hands the primary role to backup {@code target} (-1: the most up-to-date one); completes once
     * this replica sent it TimeoutNow and stepped down, with the epoch it stepped down in
     * ({@link ReplicaNode#handOver}). The step that starts it publishes the end of the lease.
     */
    public CompletableFuture<HandOverResponse> handOver(int target) {
        CompletableFuture<HandOverResponse> done = new CompletableFuture<>();
        loop.execute(() -> run(() -> node.handOver(target).whenComplete((to, failure) -> {
            if (failure == null) {
                log.info("handed over set={} replica={} to={} epoch={}", setId, node.id(), to, node.epoch());
                done.complete(HandOverResponse.newBuilder().setTargetReplica(to).setEpoch(node.epoch()).build());
            } else {
                log.warn("hand-over failed set={} replica={} reason=\"{}\"", setId, node.id(), failure.getMessage());
                done.completeExceptionally(failure);
            }
        })));
        return done;
    }

    private void run(Runnable step) {
        String before = node.role() + "/" + node.epoch();
        try {
            step.run();
        } catch (RuntimeException e) {
            log.error("replica stopped set={} replica={} epoch={} reason=\"{}\"", setId, node.id(), node.epoch(), e.getMessage(), e);
            node.stop(e.getMessage());
        }
        String after = node.role() + "/" + node.epoch();
        if (!before.equals(after)) {
            log.info("replica role changed set={} replica={} from={} to={} commit_index={} last_index={}", setId, node.id(), before, after,
                    node.commitIndex(), node.lastIndex());
        }
        publish();
    }

    private void publish() {
        primaryContactNs = node.primaryContactNs();
        leaseEndNs = node.leaseEndNs();
        writableEpoch = node.writable() ? node.epoch() : -1;
        ReplicaStatus.Builder snapshot = ReplicaStatus.newBuilder()
                .setSetId(setId).setReplicaIndex(node.id()).setRole(node.role().name()).setEpoch(node.epoch())
                .setCommitIndex(node.commitIndex()).setLastIndex(node.lastIndex()).setAppliedIndex(node.appliedIndex())
                .setPrimary(node.primaryHint())
                .setLeaseValid(clock.nanoTime() < leaseEndNs)
                .setFirstIndex(node.firstIndex()).setCatchingUp(node.catchingUp());
        if (node.role() == ReplicaRole.PRIMARY) {
            for (long match : node.matchIndexes()) {
                snapshot.addMatchIndexes(match);
            }
        }
        if (node.stopReason() != null) {
            snapshot.setStopReason(node.stopReason());
        }
        status = snapshot.build();
    }

    public ReplicaStatus status() {
        return status;
    }

    /** Milliseconds since this replica last knew its SET had a working primary ({@link ReplicaNode#primaryContactNs}); MAX_VALUE once stopped. */
    public long primaryContactAgeMs() {
        long contactNs = primaryContactNs;
        return contactNs == Long.MIN_VALUE ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - contactNs);
    }

    @Override
    public boolean canServeReads() {
        return clock.nanoTime() < leaseEndNs;
    }

    @Override
    public boolean canTakeWrites() {
        return writableEpoch >= 0;
    }

    @Override
    public String primaryHint() {
        return status.getPrimary();
    }

    @Override
    public String stopReason() {
        String reason = status.getStopReason();
        return reason.isEmpty() ? null : reason;
    }

    /** Stops the thread, letting a step that runs finish. */
    @Override
    public void close() {
        loop.shutdown();
        try {
            loop.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

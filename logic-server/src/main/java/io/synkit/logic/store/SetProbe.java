package io.synkit.logic.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.ReplicaStatusRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.StoreSet;
import io.synkit.runtime.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether this logic node reaches a primary of each SET of its slot map: every
 * {@code intervalMs} it asks every replica of every SET for its status, and a SET counts as
 * reached while some replica answered as the primary holding its lease within
 * {@code graceMs}. Per SET it shows {@code synkit_logic_set_primary_reachable{set}}; the node
 * is not ready when it reaches no SET's primary at all (it is cut off, or every SET is down),
 * because then another logic node may serve where this one cannot. A single SET without a
 * primary is that SET's failure, not this node's: every logic node would fail its users alike,
 * and taking them all out of service would stop the other SETs' users too. That SET's replicas
 * turn their own probes red, and the gauge and the alert name it.
 */
public final class SetProbe implements AutoCloseable {

    private static final StoreRequest STATUS = StoreRequest.newBuilder().setStatus(ReplicaStatusRequest.getDefaultInstance()).build();

    private final SlotMaps slotMaps;
    private final RpcClientPool clients;
    private final EventExecutorGroup scheduler;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final long intervalMs;
    private final long graceMs;
    private final long startNs;
    /** Per SET id: when a replica last answered as the primary holding its lease (this node's clock). */
    private final Map<String, Long> primarySeenNs = new ConcurrentHashMap<>();
    private ScheduledFuture<?> task;

    public SetProbe(SlotMaps slotMaps, RpcClientPool clients, EventExecutorGroup scheduler, Clock clock, MeterRegistry metrics, long intervalMs,
                    long graceMs) {
        if (intervalMs < 1 || graceMs < intervalMs) {
            throw new IllegalArgumentException("intervalMs=" + intervalMs + " must be >= 1 and <= graceMs=" + graceMs);
        }
        this.slotMaps = slotMaps;
        this.clients = clients;
        this.scheduler = scheduler;
        this.clock = clock;
        this.metrics = metrics;
        this.intervalMs = intervalMs;
        this.graceMs = graceMs;
        this.startNs = clock.nanoTime();
    }

    public SetProbe start() {
        task = scheduler.scheduleAtFixedRate(() -> { probe(); }, 0, intervalMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One round: every replica of every SET of the current map is asked; completes when every answer (or failure) is in. */
    CompletableFuture<Void> probe() {
        SlotMap map;
        try {
            map = slotMaps.current();
        } catch (RpcException e) {
            return CompletableFuture.completedFuture(null); // no map yet: readiness says so
        }
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (StoreSet set : map.sets()) {
            if (primarySeenNs.putIfAbsent(set.setId(), Long.MIN_VALUE) == null) {
                Gauge.builder("synkit.logic.set.primary.reachable", () -> reachable(set.setId()) ? 1 : 0).tag("set", set.setId())
                        .description("1 while a replica of the SET answered this node as the primary holding its lease within the grace").register(metrics);
            }
            for (String replica : set.replicas()) {
                calls.add(clients.get(replica).call(STATUS, intervalMs).handle((payload, failure) -> {
                    if (failure == null && isServingPrimary(payload.toByteArray())) {
                        primarySeenNs.put(set.setId(), clock.nanoTime());
                    }
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    private static boolean isServingPrimary(byte[] payload) {
        try {
            ReplicaStatus status = StoreResponse.parseFrom(payload).getStatus();
            return status.getRole().equals("PRIMARY") && status.getLeaseValid();
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    /** Whether a primary of {@code setId} answered within the grace. */
    public boolean reachable(String setId) {
        Long seenNs = primarySeenNs.get(setId);
        long sinceNs = seenNs == null || seenNs == Long.MIN_VALUE ? startNs : seenNs;
        return clock.nanoTime() - sinceNs <= TimeUnit.MILLISECONDS.toNanos(graceMs);
    }

    /** The SETs of the current map whose primary this node did not reach within the grace, in map order; empty without a map. */
    public List<String> setsWithoutPrimary() {
        List<String> missing = new ArrayList<>();
        try {
            for (StoreSet set : slotMaps.current().sets()) {
                if (!reachable(set.setId())) {
                    missing.add(set.setId());
                }
            }
        } catch (RpcException e) {
            return List.of();
        }
        return missing;
    }

    /** Null while some SET's primary is reachable (or the map has no SET); else why the node should not get traffic. */
    public String notReadyReason() {
        String noMap = slotMaps.notReadyReason();
        if (noMap != null) {
            return noMap;
        }
        List<StoreSet> sets = slotMaps.current().sets();
        if (!sets.isEmpty() && setsWithoutPrimary().size() == sets.size()) {
            return "no SET's primary answered within " + graceMs + " ms (SETs " + String.join(",", setsWithoutPrimary()) + ")";
        }
        return null;
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}

package io.synkit.protocol.slot;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.util.concurrent.EventExecutorGroup;
import io.synkit.protocol.internal.GetSlotMapRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the newest slot map the meta SET has: fetches it at start, every {@code pollMs}, and at
 * once when a peer shows a newer version. Any meta replica may answer (the first that does);
 * versions only move forward. When the meta SET is unreachable the last known map stays in use.
 */
public final class SlotMapWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlotMapWatcher.class);
    private static final long FETCH_TIMEOUT_MS = 2000;

    private final List<String> metaReplicas;
    private final RpcClientPool clients;
    private final EventExecutorGroup scheduler;
    private final long pollMs;
    private final AtomicInteger nextReplica = new AtomicInteger();
    private final AtomicBoolean fetching = new AtomicBoolean();
    private volatile SlotMap current;
    private volatile String lastFailure;
    private ScheduledFuture<?> polling;

    public SlotMapWatcher(List<String> metaReplicas, RpcClientPool clients, EventExecutorGroup scheduler, long pollMs) {
        if (metaReplicas.isEmpty()) {
            throw new IllegalArgumentException("a slot map watcher needs the meta SET's replica addresses");
        }
        this.metaReplicas = List.copyOf(metaReplicas);
        this.clients = clients;
        this.scheduler = scheduler;
        this.pollMs = pollMs;
    }

    public SlotMapWatcher start() {
        polling = scheduler.scheduleWithFixedDelay(this::fetch, 0, pollMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The newest map seen, or null before the first one arrived. */
    public SlotMap current() {
        return current;
    }

    /** Null once a map is known; before that, why not (with the last fetch failure, if any). */
    public String notReadyReason() {
        if (current != null) {
            return null;
        }
        String failure = lastFailure;
        return "no slot map from the meta SET yet" + (failure == null ? "" : " (" + failure + ")");
    }

    /** Fetches now unless the map is at {@code version} already (or a fetch is under way). */
    public void refreshIfOlderThan(long version) {
        SlotMap known = current;
        if (known == null || known.version() < version) {
            scheduler.execute(this::fetch);
        }
    }

    private void fetch() {
        if (!fetching.compareAndSet(false, true)) {
            return;
        }
        attempt(0).whenComplete((ignored, failure) -> fetching.set(false));
    }

    /** Tries the meta replicas in turn, starting after the last one that failed. */
    private CompletableFuture<Void> attempt(int tried) {
        String replica = metaReplicas.get(Math.floorMod(nextReplica.get(), metaReplicas.size()));
        StoreRequest request = StoreRequest.newBuilder().setGetSlotMap(GetSlotMapRequest.getDefaultInstance()).build();
        return clients.get(replica).call(request, FETCH_TIMEOUT_MS).handle((payload, failure) -> {
            if (failure == null) {
                try {
                    accept(StoreResponse.parseFrom(payload), replica);
                    lastFailure = null;
                    return CompletableFuture.<Void>completedFuture(null);
                } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                    failure = e;
                }
            }
            lastFailure = "meta replica " + replica + ": " + failure.getMessage();
            nextReplica.incrementAndGet();
            if (tried + 1 >= metaReplicas.size()) {
                log.warn("slot map fetch failed on every meta replica; keeping version {} reason=\"{}\"",
                        current == null ? 0 : current.version(), lastFailure);
                return CompletableFuture.<Void>completedFuture(null);
            }
            return attempt(tried + 1);
        }).thenCompose(next -> next);
    }

    private void accept(StoreResponse response, String replica) {
        if (!response.hasGetSlotMap() || !response.getGetSlotMap().hasMap()) {
            throw new IllegalArgumentException("meta SET holds no slot map yet");
        }
        SlotMap fetched = SlotMap.fromRecord(response.getGetSlotMap().getMap());
        synchronized (this) {
            SlotMap known = current;
            if (known == null || fetched.version() > known.version()) {
                current = fetched;
                log.info("slot map version {} from meta replica {} sets={}", fetched.version(), replica, fetched.sets().size());
            }
        }
    }

    @Override
    public void close() {
        if (polling != null) {
            polling.cancel(false);
        }
    }
}

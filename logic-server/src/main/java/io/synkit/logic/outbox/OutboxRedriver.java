package io.synkit.logic.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.synkit.logic.group.ConversationMembers;
import io.synkit.logic.send.Delivery;
import io.synkit.logic.send.Fanout;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.OutboxScanRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.StoreSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes fan-outs nobody finished: every {@code intervalMs}, asks each SET for outbox entries
 * committed more than {@code minAgeMs} ago (their sender's logic node crashed, or the sender gave
 * up retrying), fans each out again (idempotent) and clears it. Any logic node may run it; two
 * running at once only repeat idempotent work. One scan at a time per node. An entry whose
 * fan-out fails stays in the outbox for the next pass and does not hold up the entries after it.
 */
public final class OutboxRedriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxRedriver.class);
    private static final int SCAN_ENTRIES_MAX = 100;

    private final StoreCalls store;
    private final Fanout fanout;
    private final Delivery delivery;
    private final int minAgeMs;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Map<String, AtomicInteger> backlogBySet = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;
    private final Counter redriven;
    private final Counter failed;
    private final ScheduledFuture<?> timer;

    public OutboxRedriver(StoreCalls store, Fanout fanout, Delivery delivery, EventExecutorGroup scheduler, int intervalMs, int minAgeMs,
                          MeterRegistry metrics) {
        this.delivery = delivery;
        this.store = store;
        this.fanout = fanout;
        this.minAgeMs = minAgeMs;
        this.metrics = metrics;
        this.redriven = Counter.builder("synkit_logic_outbox_redriven").description("fan-outs finished by the outbox redriver").register(metrics);
        this.failed = Counter.builder("synkit_logic_outbox_redrive_failed").description("outbox entries whose re-driven fan-out failed (retried next pass)")
                .register(metrics);
        this.timer = scheduler.scheduleWithFixedDelay(this::scanAll, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One pass over every SET; completes when every entry found was re-driven or failed. */
    public CompletableFuture<Void> scanAll() {
        if (!running.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        List<StoreSet> sets;
        try {
            sets = store.slotMap().sets();
        } catch (RpcException e) {
            running.set(false); // no slot map yet: the next pass tries again
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> scans = new ArrayList<>();
        for (StoreSet set : sets) {
            scans.add(scan(set));
        }
        return CompletableFuture.allOf(scans.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
            running.set(false);
            if (failure != null) {
                log.warn("outbox scan failed reason=\"{}\"", failure.toString());
            }
        });
    }

    private CompletableFuture<Void> scan(StoreSet set) {
        StoreRequest request = StoreRequest.newBuilder()
                .setOutboxScan(OutboxScanRequest.newBuilder().setMinAgeMs(minAgeMs).setLimit(SCAN_ENTRIES_MAX)).build();
        return store.call(set, request).thenCompose(response -> {
            backlog(set.setId()).set(response.getOutboxScan().getMessagesCount());
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (MessageOp message : response.getOutboxScan().getMessagesList()) {
                chain = chain.thenCompose(previous -> redrive(message)).exceptionally(failure -> {
                    failed.increment();
                    log.warn("outbox re-drive failed conv={} conv_seq={} reason=\"{}\"", message.getConvId(), message.getConvSeq(),
                            RpcException.of(failure).getMessage());
                    return null;
                });
            }
            return chain;
        });
    }

    /**
     * Entries the last scan of the SET found older than the minimum age (at most a scan's limit):
     * fan-outs nobody finished. {@code synkit_logic_outbox_backlog{set}}; steady growth means
     * fan-out falls behind (the alert {@code SynkitFanoutBacklogGrowing}).
     */
    private AtomicInteger backlog(String setId) {
        return backlogBySet.computeIfAbsent(setId, id -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder("synkit_logic_outbox_backlog", count, AtomicInteger::get).tag("set", id)
                    .description("outbox entries older than the minimum age found by the last scan of the SET").register(metrics);
            return count;
        });
    }

    private CompletableFuture<Void> redrive(MessageOp message) {
        return delivery.deliver(message, ConversationMembers.VERSION_UNKNOWN, 0).thenCompose(seq -> {
            redriven.increment();
            log.info("outbox re-drove fan-out conv={} conv_seq={}", message.getConvId(), message.getConvSeq());
            return fanout.outboxDone(message);
        });
    }

    @Override
    public void close() {
        timer.cancel(false);
    }
}

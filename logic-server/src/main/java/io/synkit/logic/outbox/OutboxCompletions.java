package io.synkit.logic.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.OutboxDoneBatchRequest;
import io.synkit.protocol.internal.OutboxDoneRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.StoreSet;
import io.synkit.logic.store.StoreCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the outbox marks of finished fan-outs a batch at a time: the sends that finished since
 * the last flush go to their home SET as one {@code OutboxDoneBatch} write instead of one
 * {@code OutboxDone} quorum write each. Flushed by the node's timer every
 * {@code logic.outbox.done.flush.ms}, and at once for a SET whose batch is full.
 *
 * <p>Why a late or lost clear is safe: a mark left in place only makes the re-driver repeat a
 * fan-out that already reached every inbox (after {@code logic.outbox.min.age.ms}), and a
 * repeated inbox append is answered as a duplicate. So a crash of this node before its flush, a
 * failed batch, or a SET unknown to the slot map all leave the guarantee (every committed entry
 * in every inbox once, in order) to the marks, as before; only a clear that came before the
 * fan-out finished would break it, and {@link #finished} is called only after.
 *
 * <p>Mixed versions: a store older than the batch refuses it with {@code INVALID_REQUEST} (a body
 * it does not know); its entries are then cleared one {@code OutboxDone} each, as that store's
 * own logic nodes do.
 */
public final class OutboxCompletions {

    private static final Logger log = LoggerFactory.getLogger(OutboxCompletions.class);

    private final StoreCalls store;
    private final int entriesMax;
    private final Map<String, SetBatch> batches = new ConcurrentHashMap<>();
    private final Counter batchesSent;
    private final Counter singlesSent;
    private final Counter batchesFailed;

    /** @param entriesMax finished entries one batch holds at most; a full batch is sent at once */
    public OutboxCompletions(StoreCalls store, int entriesMax, MeterRegistry metrics) {
        if (entriesMax < 1) {
            throw new IllegalArgumentException("entriesMax=" + entriesMax + " must be >= 1");
        }
        this.store = store;
        this.entriesMax = entriesMax;
        this.batchesSent = Counter.builder("synkit_logic_outbox_done_batches").description("outbox done batches sent to home SETs").register(metrics);
        this.batchesFailed = Counter.builder("synkit_logic_outbox_done_batch_failed")
                .description("outbox done batches a SET did not take (no primary, timeout): their marks are left to the re-driver").register(metrics);
        this.singlesSent = Counter.builder("synkit_logic_outbox_done_singles")
                .description("outbox entries cleared one by one because their SET refused a batch (an older store)").register(metrics);
    }

    /** The committed entry reached every inbox: its mark is cleared with the next batch of its home SET. */
    public void finished(MessageOp committed) {
        StoreSet set;
        try {
            set = store.slotMap().setOfConversation(committed.getConvId());
        } catch (RpcException e) {
            return; // no slot map: the mark stays and the re-driver clears it after its repeated fan-out
        }
        OutboxDoneRequest entry = OutboxDoneRequest.newBuilder().setConvId(committed.getConvId()).setConvSeq(committed.getConvSeq()).build();
        List<OutboxDoneRequest> full = batches.computeIfAbsent(set.setId(), id -> new SetBatch()).add(entry, entriesMax);
        if (full != null) {
            send(set, full);
        }
    }

    /**
     * Sends every SET's batch; completes when each was answered (a failure leaves its marks to the
     * re-driver). Never throws: the node's timer calls it, and a throw would end the timer.
     */
    public CompletableFuture<Void> flush() {
        List<StoreSet> sets;
        try {
            sets = store.slotMap().sets();
        } catch (RpcException e) {
            // No slot map yet (a node's first seconds; once it has one it keeps it): finished() batched nothing
            // without one either. Quiet: this timer runs every few tens of milliseconds.
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        try {
            for (StoreSet set : sets) {
                SetBatch batch = batches.get(set.setId());
                List<OutboxDoneRequest> entries = batch == null ? List.of() : batch.drain();
                if (!entries.isEmpty()) {
                    sent.add(send(set, entries));
                }
            }
        } catch (RuntimeException e) {
            log.warn("outbox done flush stopped reason=\"{}\" (the re-driver clears what it did not send)", e.toString());
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> send(StoreSet set, List<OutboxDoneRequest> entries) {
        StoreRequest request = StoreRequest.newBuilder().setOutboxDoneBatch(OutboxDoneBatchRequest.newBuilder().addAllEntries(entries)).build();
        batchesSent.increment();
        return store.call(set, request).<Void>thenApply(response -> null).exceptionallyCompose(failure -> {
            if (RpcException.of(failure).code() == ErrorCode.INVALID_REQUEST) {
                return oneByOne(entries);
            }
            // Counted, logged at DEBUG: while a SET has no primary this fails every flush, and the
            // re-driver's own log and backlog gauge already tell the operator.
            batchesFailed.increment();
            log.debug("outbox done batch not written set={} entries={} reason=\"{}\" (the re-driver clears them)", set.setId(), entries.size(),
                    RpcException.of(failure).getMessage());
            return CompletableFuture.completedFuture(null);
        });
    }

    private CompletableFuture<Void> oneByOne(List<OutboxDoneRequest> entries) {
        List<CompletableFuture<Void>> cleared = new ArrayList<>();
        for (OutboxDoneRequest entry : entries) {
            singlesSent.increment();
            StoreRequest done = StoreRequest.newBuilder().setOutboxDone(entry).build();
            cleared.add(store.forConversation(entry.getConvId(), done).<Void>thenApply(response -> null)
                    .exceptionally(failure -> null)); // the mark stays for the re-driver
        }
        return CompletableFuture.allOf(cleared.toArray(CompletableFuture[]::new));
    }

    /** One SET's finished entries not yet sent; callers on any thread. */
    private static final class SetBatch {

        private List<OutboxDoneRequest> entries = new ArrayList<>();

        /** Adds the entry; returns the whole batch (and starts a new one) when it reached {@code entriesMax}, else null. */
        synchronized List<OutboxDoneRequest> add(OutboxDoneRequest entry, int entriesMax) {
            entries.add(entry);
            return entries.size() >= entriesMax ? drain() : null;
        }

        synchronized List<OutboxDoneRequest> drain() {
            List<OutboxDoneRequest> taken = entries;
            entries = new ArrayList<>();
            return taken;
        }
    }
}

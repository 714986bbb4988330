package io.synkit.store.write;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.replication.NotPrimaryException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of a replica: a Disruptor ring with one writer thread. The writer applies each
 * command to a {@link BatchView} (validate, assign seqs) and, at the end of each Disruptor batch
 * (or every {@code batchCommandsMax} commands), commits the whole batch with one
 * {@link Committer#commit} — one fsync for many writes — and only then completes the callers.
 * Up to {@code inflightBatchesMax} batches are committed at once: each is computed on top of the
 * writes of the batches before it, and its callers hear back only after all of those committed.
 * If one fails to commit, the rest of its chain is refused and the next batch starts afresh
 * from committed state.
 *
 * <p>A failed commit stops the pipeline for good: the callers of that batch get UNAVAILABLE, and
 * every later write is refused. We never retry a failed flush and then ack (fsyncgate); the
 * replica must be restarted, and recovers from what is durable.
 *
 * <p>A full ring refuses new writes at once with UNAVAILABLE (backpressure; callers retry).
 */
public final class WritePipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WritePipeline.class);

    private final Disruptor<WriteEvent> disruptor;
    private final RingBuffer<WriteEvent> ring;
    private final WriteCommands commands;
    /** The writer thread's own: see {@link Writer#startBatch} for when it forgets. */
    private final WriterMemory memory;
    private final StoreEngine engine;
    private final Committer committer;
    private final Clock clock;
    private final int batchCommandsMax;
    private final int inflightBatchesMax;
    private final Timer commitTimer;
    private final DistributionSummary batchCommands;
    private volatile String failure;

    public WritePipeline(StoreEngine engine, Committer committer, Clock clock, int ringSize, int batchCommandsMax, MeterRegistry metrics) {
        this(engine, committer, clock, ringSize, batchCommandsMax, 1, metrics);
    }

    /**
     * @param inflightBatchesMax batches being committed at once at most; each is computed on top
     *                           of the ones before it (pipelining hides replication latency)
     */
    public WritePipeline(StoreEngine engine, Committer committer, Clock clock, int ringSize, int batchCommandsMax, int inflightBatchesMax,
                         MeterRegistry metrics) {
        if (inflightBatchesMax < 1) {
            throw new IllegalArgumentException("inflightBatchesMax=" + inflightBatchesMax + " must be >= 1");
        }
        this.inflightBatchesMax = inflightBatchesMax;
        if (Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ringSize=" + ringSize + " must be a power of two");
        }
        if (batchCommandsMax < 1 || batchCommandsMax > ringSize) {
            throw new IllegalArgumentException("batchCommandsMax=" + batchCommandsMax + " must be in [1, ringSize=" + ringSize + "]");
        }
        this.engine = engine;
        this.committer = committer;
        this.clock = clock;
        this.memory = new WriterMemory();
        this.commands = new WriteCommands(engine, clock, memory);
        this.batchCommandsMax = batchCommandsMax;
        this.commitTimer = Timer.builder("synkit_store_commit").description("time to commit one batch durably").register(metrics);
        this.batchCommands = DistributionSummary.builder("synkit_store_batch_commands").description("commands per committed batch").register(metrics);
        disruptor = new Disruptor<>(WriteEvent::new, ringSize, new DefaultThreadFactory("store-writer", true),
                ProducerType.MULTI, new BlockingWaitStrategy());
        disruptor.handleEventsWith(new Writer());
        ring = disruptor.start();
    }

    /** Queues a write; completes after it is committed, or fails with an {@link RpcException}. */
    public CompletableFuture<StoreResponse> submit(StoreRequest request) {
        String failed = failure;
        if (failed != null) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "replica stopped writing: " + failed));
        }
        CompletableFuture<StoreResponse> reply = new CompletableFuture<>();
        boolean queued = ring.tryPublishEvent((event, sequence) -> {
            event.request = request;
            event.reply = reply;
        });
        if (!queued) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "write ring full (" + ring.getBufferSize() + " slots)"));
        }
        return reply;
    }

    /** Null while healthy; otherwise why the replica stopped writing. */
    public String failure() {
        return failure;
    }

    @Override
    public void close() {
        try {
            disruptor.shutdown(5, TimeUnit.SECONDS);
        } catch (com.lmax.disruptor.TimeoutException e) {
            disruptor.halt();
        }
    }

    /** A reply owed to one caller once its batch (and every batch before it) has committed. */
    private record Reply(CompletableFuture<StoreResponse> caller, StoreResponse response, RpcException rejection) {
    }

    /** A batch being committed: its writes stay visible to later batches of the chain until it is done. */
    private record InFlight(BatchView view, CompletableFuture<Void> done) {
    }

    private final class Writer implements EventHandler<WriteEvent> {

        private final List<WriteEvent> batchEvents = new ArrayList<>();
        private final ArrayDeque<InFlight> inflight = new ArrayDeque<>();
        private BatchView view;
        private long chainToken;
        private RpcException chainRefusal;

        @Override
        public void onEvent(WriteEvent event, long sequence, boolean endOfBatch) {
            if (view == null) {
                startBatch();
            }
            batchEvents.add(event);
            if (failure != null) {
                event.rejection = stopped();
            } else if (chainRefusal != null) {
                event.rejection = chainRefusal;
            } else {
                try {
                    event.response = commands.apply(view, event.request);
                    view.countCommand();
                } catch (RpcException e) {
                    event.rejection = e;
                } catch (RuntimeException e) {
                    // An invariant broke while building the batch: nothing of it may be committed.
                    stop("invariant violated: " + e.getMessage(), e);
                }
            }
            if (endOfBatch || batchEvents.size() >= batchCommandsMax) {
                commitBatch();
            }
        }

        /**
         * Settles the chain before a new batch: drops batches already done; if one failed, waits
         * for the whole chain and starts a new one from committed state; waits for the oldest
         * batch when {@code inflightBatchesMax} are in flight.
         */
        private void startBatch() {
            boolean broken = false;
            while (!inflight.isEmpty() && inflight.peekFirst().done().isDone()) {
                broken |= inflight.pollFirst().done().isCompletedExceptionally();
            }
            if (broken) {
                while (!inflight.isEmpty()) {
                    inflight.pollFirst().done().handle((ok, error) -> null).join();
                }
            }
            while (inflight.size() >= inflightBatchesMax) {
                InFlight oldest = inflight.pollFirst();
                broken |= oldest.done().handle((ok, error) -> error != null).join();
                if (broken) {
                    inflight.forEach(next -> next.done().handle((ok, error) -> null).join());
                    inflight.clear();
                }
            }
            if (broken) {
                memory.forget(); // it counts writes of the lost batches
            }
            if (inflight.isEmpty()) {
                chainRefusal = null;
                try {
                    long token = committer.beginChain();
                    if (token != chainToken) {
                        memory.forget(); // another epoch: other primaries may have written since
                    }
                    chainToken = token;
                } catch (NotPrimaryException e) {
                    chainRefusal = notPrimary(e);
                }
            }
            view = new BatchView(engine, inflight.stream().map(InFlight::view).toList());
        }

        private void commitBatch() {
            List<Reply> replies = new ArrayList<>(batchEvents.size());
            for (WriteEvent event : batchEvents) {
                replies.add(new Reply(event.reply, event.response, event.rejection));
                event.clear();
            }
            batchEvents.clear();
            BatchView committing = view;
            committing.seal();
            view = null;
            CompletableFuture<Void> previous = inflight.isEmpty() ? CompletableFuture.completedFuture(null) : inflight.peekLast().done();
            if (failure != null || chainRefusal != null) {
                replies.forEach(reply -> reply.caller().completeExceptionally(failure != null ? stopped() : chainRefusal));
                return;
            }
            long startNs = clock.nanoTime();
            CompletableFuture<Void> committed = committing.isEmpty() ? CompletableFuture.completedFuture(null)
                    : committer.commit(committing.data(), chainToken);
            // Replies wait for earlier batches too: a duplicate answered from an earlier batch's
            // writes must not be acknowledged before those writes commit.
            CompletableFuture<Void> done = previous.thenCombine(committed, (a, b) -> (Void) null).whenComplete((ok, error) -> {
                commitTimer.record(clock.nanoTime() - startNs, TimeUnit.NANOSECONDS);
                batchCommands.record(committing.commandCount());
            });
            inflight.addLast(new InFlight(committing, done));
            done.whenComplete((ok, error) -> reply(replies, error));
        }

        private void reply(List<Reply> replies, Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            RpcException refused = null;
            if (cause instanceof NotPrimaryException notPrimary) {
                refused = notPrimary(notPrimary);
            } else if (cause != null) {
                stop("commit failed: " + cause.getMessage(), cause);
            }
            for (Reply reply : replies) {
                if (refused != null) {
                    reply.caller().completeExceptionally(refused);
                } else if (cause != null) {
                    reply.caller().completeExceptionally(stopped());
                } else if (reply.rejection() != null) {
                    reply.caller().completeExceptionally(reply.rejection());
                } else {
                    reply.caller().complete(reply.response());
                }
            }
        }
    }

    private RpcException stopped() {
        return new RpcException(ErrorCode.UNAVAILABLE, "replica stopped writing: " + failure);
    }

    private static RpcException notPrimary(NotPrimaryException e) {
        return RpcException.notPrimary(e.getMessage(), e.primaryHint());
    }

    private void stop(String reason, Throwable cause) {
        if (failure == null) {
            failure = reason;
            log.error("replica stopped writing reason=\"{}\" action=\"restart the replica; it recovers from what is durable\"", reason, cause);
        }
    }
}

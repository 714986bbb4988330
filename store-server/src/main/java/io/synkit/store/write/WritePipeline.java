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
import io.synkit.protocol.internal.RpcError;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of a replica: a Disruptor ring with one writer thread. The writer applies each
 * command to a {@link BatchView} (validate, assign seqs) and, at the end of each Disruptor batch
 * (or every {@code batchCommandsMax} commands), commits the whole batch with one
 * {@link Committer#commit} — one fsync for many writes — and only then completes the callers.
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
    private final StoreEngine engine;
    private final Committer committer;
    private final int batchCommandsMax;
    private final Timer commitTimer;
    private final DistributionSummary batchCommands;
    private volatile String failure;

    public WritePipeline(StoreEngine engine, Committer committer, Clock clock, int ringSize, int batchCommandsMax, MeterRegistry metrics) {
        if (Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ringSize=" + ringSize + " must be a power of two");
        }
        if (batchCommandsMax < 1 || batchCommandsMax > ringSize) {
            throw new IllegalArgumentException("batchCommandsMax=" + batchCommandsMax + " must be in [1, ringSize=" + ringSize + "]");
        }
        this.engine = engine;
        this.committer = committer;
        this.commands = new WriteCommands(engine, clock);
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

    private final class Writer implements EventHandler<WriteEvent> {

        private final List<WriteEvent> batchEvents = new ArrayList<>();
        private BatchView view;

        @Override
        public void onEvent(WriteEvent event, long sequence, boolean endOfBatch) {
            if (view == null) {
                view = new BatchView(engine);
            }
            batchEvents.add(event);
            if (failure != null) {
                event.rejection = new RpcException(ErrorCode.UNAVAILABLE, "replica stopped writing: " + failure);
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
                commitAndReply();
            }
        }

        private void commitAndReply() {
            RpcException refused = null;
            try (BatchView committing = view) {
                view = null;
                if (failure == null) {
                    long startNs = System.nanoTime();
                    committing.commitTo(committer);
                    commitTimer.record(System.nanoTime() - startNs, TimeUnit.NANOSECONDS);
                    batchCommands.record(committing.commandCount());
                }
            } catch (NotCommittedException e) {
                refused = new RpcException(RpcError.newBuilder().setCode(ErrorCode.UNAVAILABLE)
                        .setMessage("not the primary: " + e.getMessage()).setPrimaryHint(e.primaryHint()).build());
            } catch (RuntimeException e) {
                stop("commit failed: " + e.getMessage(), e);
            }
            for (WriteEvent event : batchEvents) {
                if (refused != null) {
                    event.reply.completeExceptionally(refused);
                } else if (failure != null) {
                    event.reply.completeExceptionally(new RpcException(ErrorCode.UNAVAILABLE, "replica stopped writing: " + failure));
                } else if (event.rejection != null) {
                    event.reply.completeExceptionally(event.rejection);
                } else {
                    event.reply.complete(event.response);
                }
                event.clear();
            }
            batchEvents.clear();
        }

        private void stop(String reason, RuntimeException cause) {
            if (failure == null) {
                failure = reason;
                log.error("replica stopped writing reason=\"{}\" action=\"restart the replica; it recovers from what is durable\"", reason, cause);
            }
        }
    }
}

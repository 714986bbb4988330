package io.synkit.protocol.rpc;

import io.netty.channel.ChannelHandlerContext;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes messages to one channel from any thread with one flush (one {@code write} syscall) per
 * burst instead of one per message. A message is queued; the first message of a burst schedules a
 * drain on the channel's event loop, which writes everything queued by then and flushes once.
 * Under load, the replies of a whole commit batch leave in one segment; with one message in
 * flight it costs one task hand-off, as {@code writeAndFlush} from another thread does.
 *
 * <p>Order is kept: messages are written in the order {@link #write} was called (per caller
 * thread; across threads, in queue order). A message that fails to encode or write fails the
 * channel's pipeline as any write does ({@code exceptionCaught}).
 */
final class CoalescingWriter {

    private final ChannelHandlerContext ctx;
    private final Queue<Object> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    CoalescingWriter(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void write(Object message) {
        queued.add(message);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                ctx.executor().execute(drain);
            } catch (RejectedExecutionException e) {
                queued.clear(); // the event loop is shut down: the channel is closed, nothing can be written
            }
        }
    }

    private void drain() {
        // Cleared before polling: a message queued after the last poll schedules the next drain.
        drainScheduled.set(false);
        boolean wrote = false;
        for (Object message = queued.poll(); message != null; message = queued.poll()) {
            ctx.write(message, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }
}

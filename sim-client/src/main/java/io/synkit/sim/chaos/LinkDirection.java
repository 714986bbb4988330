package io.synkit.sim.chaos;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a {@link ChaosLink}: bytes read from {@code source} wait in a FIFO until their
 * due time (latency plus jitter), the link is not stalled, the token bucket grants them and
 * {@code sink} is writable; then they are written to {@code sink}. Due times never decrease, so
 * jitter delays bytes but never reorders them.
 *
 * <p>Memory is bounded: when more than {@link #QUEUED_BYTES_MAX} wait here, reading from
 * {@code source} stops (autoRead off) until the queue drains to {@link #QUEUED_BYTES_RESUME};
 * {@code sink}'s own outbound buffer is bounded by writing only while it is writable (Netty's
 * write-buffer watermarks). With reads off the kernel's buffers fill and the sender blocks, as
 * it would behind a slow radio link.
 *
 * <p>Buffers: {@link #accept} takes ownership of the buffer it is given. A queued buffer is
 * owned here until it is written to {@code sink}, which then owns it (Netty releases it once
 * written, or on a failed write). A chunk larger than the bucket grants is sent as a retained
 * slice while the rest stays queued. {@link #discard} releases everything still queued.
 *
 * <p>Runs only on the link's event loop; time comes from {@link ChaosLink#nanoTime()} and waiting
 * only from the event loop's scheduler.
 */
final class LinkDirection {

    /** Bytes queued in one direction above which reading from its source stops. */
    static final long QUEUED_BYTES_MAX = 256 * 1024;
    /** Queued bytes at or below which reading from the source resumes. */
    static final long QUEUED_BYTES_RESUME = QUEUED_BYTES_MAX / 2;

    private record Chunk(ByteBuf bytes, long dueNanos) {
    }

    private final ChaosLink link;
    private final Channel source;
    private final Channel sink;
    private final long latencyNanos;
    private final long jitterNanos;
    private final SplittableRandom jitterRandom;
    private final TokenBucket bucket;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long lastDueNanos;
    private ScheduledFuture<?> drainTimer;
    private boolean readPaused;
    private boolean sourceEnded;
    private boolean sinkClosing;

    LinkDirection(ChaosLink link, Channel source, Channel sink, LinkProfile profile, SplittableRandom jitterRandom, long nowNanos) {
        this.link = link;
        this.source = source;
        this.sink = sink;
        this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(profile.latencyMs());
        this.jitterNanos = TimeUnit.MILLISECONDS.toNanos(profile.jitterMs());
        this.jitterRandom = jitterRandom;
        this.bucket = profile.bandwidthBytesPerSecond() == 0 ? null : new TokenBucket(profile.bandwidthBytesPerSecond(), nowNanos);
        this.lastDueNanos = nowNanos;
    }

    /** Queues bytes read from the source (taking ownership) and forwards what is due. */
    void accept(ByteBuf bytes) {
        if (!link.isForwarding() || sourceEnded || !sink.isActive() || !bytes.isReadable()) {
            bytes.release();
            return;
        }
        long nowNanos = link.nanoTime();
        long jitterDrawnNanos = jitterNanos == 0 ? 0 : jitterRandom.nextLong(jitterNanos + 1);
        long dueNanos = nowNanos + latencyNanos + jitterDrawnNanos;
        // Never before the previous chunk: jitter delays bytes but does not reorder them.
        if (dueNanos - lastDueNanos < 0) {
            dueNanos = lastDueNanos;
        }
        lastDueNanos = dueNanos;
        queue.add(new Chunk(bytes, dueNanos));
        queuedBytes += bytes.readableBytes();
        if (drainTimer == null) {
            drain();
        } else {
            updateReading();
        }
    }

    /** The source reached end of stream: forward what is queued, then close the sink. */
    void sourceEnded() {
        sourceEnded = true;
        drain();
    }

    /**
     * Forwards every chunk that may go now, flushes once, and schedules itself for the next one
     * (or waits for the sink's writability event). Also called when the sink becomes writable.
     */
    void drain() {
        if (drainTimer != null) {
            // Called early (writability, new data, end of stream): at most one timer stays.
            drainTimer.cancel(false);
            drainTimer = null;
        }
        if (!link.isForwarding()) {
            return;
        }
        long nowNanos = link.nanoTime();
        long waitNanos = 0;
        boolean wrote = false;
        while (!queue.isEmpty() && waitNanos == 0) {
            if (!sink.isWritable()) {
                break;
            }
            waitNanos = nanosUntilSendable(queue.peek(), nowNanos);
            if (waitNanos == 0) {
                waitNanos = sendHead(nowNanos);
                wrote = true;
            }
        }
        if (waitNanos > 0) {
            drainTimer = link.eventLoop().schedule(this::drain, waitNanos, TimeUnit.NANOSECONDS);
        }
        if (queue.isEmpty() && sourceEnded && !sinkClosing) {
            sinkClosing = true;
            // Closing at once would fail the writes still in the outbound buffer: close after them.
            sink.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (wrote) {
            sink.flush();
        }
        updateReading();
    }

    /** Releases every queued buffer and stops its timer: the link is reset, frozen or closed. */
    void discard() {
        if (drainTimer != null) {
            drainTimer.cancel(false);
            drainTimer = null;
        }
        Chunk chunk;
        while ((chunk = queue.poll()) != null) {
            chunk.bytes().release();
        }
        queuedBytes = 0;
    }

    /** Turns reading from the source on or off from the link state and the queue's size. */
    void updateReading() {
        if (readPaused && queuedBytes <= QUEUED_BYTES_RESUME) {
            readPaused = false;
        } else if (!readPaused && queuedBytes > QUEUED_BYTES_MAX) {
            readPaused = true;
        }
        source.config().setAutoRead(link.isForwarding() && !sourceEnded && !readPaused);
    }

    long queuedBytes() {
        return queuedBytes;
    }

    private long nanosUntilSendable(Chunk head, long nowNanos) {
        long stallLeftNanos = link.stalledUntilNanos() - nowNanos;
        if (stallLeftNanos > 0) {
            return stallLeftNanos;
        }
        if (head.dueNanos() - nowNanos > 0) {
            return head.dueNanos() - nowNanos;
        }
        return bucket == null ? 0 : bucket.nanosUntilGrant(nowNanos, head.bytes().readableBytes());
    }

    /** Writes the head chunk, or the part of it the bucket grants; returns 0 or a wait. */
    private long sendHead(long nowNanos) {
        Chunk head = queue.peek();
        int readableBytes = head.bytes().readableBytes();
        int grantedBytes = bucket == null ? readableBytes : (int) bucket.take(nowNanos, readableBytes);
        if (grantedBytes == 0) {
            return Math.max(1, bucket.nanosUntilGrant(nowNanos, readableBytes));
        }
        ByteBuf out = grantedBytes == readableBytes ? queue.poll().bytes() : head.bytes().readRetainedSlice(grantedBytes);
        queuedBytes -= grantedBytes;
        link.forwarded(grantedBytes, nowNanos);
        // A failed write (the sink was reset meanwhile) releases the buffer; the sink's close
        // reaches the link through channelInactive, so the failure itself needs no handling.
        sink.write(out);
        return 0;
    }
}

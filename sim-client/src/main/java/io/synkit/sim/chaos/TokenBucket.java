package io.synkit.sim.chaos;

/**
 * The bandwidth cap of one direction of a link: tokens (bytes) refill at {@code bytesPerSecond} up
 * to {@link #capacityBytes(long)}, which starts full. A send takes at least one segment's worth of
 * tokens at once (or the whole rest of a smaller chunk), so a slow link sends segment-sized writes
 * instead of a trickle of single bytes.
 *
 * <p>Time is passed in by the caller ({@code nowNanos}, any monotonic origin), so tests drive it
 * without a clock. Not thread-safe: one link's event loop owns it.
 */
final class TokenBucket {

    /** Smallest write the bucket grants when more is wanted: about one TCP segment. */
    static final long SEGMENT_BYTES = 1460;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long bytesPerSecond;
    private final long capacityBytes;
    /** How long an empty bucket takes to fill: beyond it, refilling is just "full". */
    private final long fillNanos;
    private long tokensBytes;
    private long refilledAtNanos;

    TokenBucket(long bytesPerSecond, long nowNanos) {
        if (bytesPerSecond < 1 || bytesPerSecond > LinkProfile.BANDWIDTH_BYTES_PER_SECOND_MAX) {
            throw new IllegalArgumentException("bytesPerSecond=" + bytesPerSecond + " must be in [1, " + LinkProfile.BANDWIDTH_BYTES_PER_SECOND_MAX + "]");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.capacityBytes = capacityBytes(bytesPerSecond);
        this.fillNanos = ceilDiv(capacityBytes * NANOS_PER_SECOND, bytesPerSecond);
        this.tokensBytes = capacityBytes;
        this.refilledAtNanos = nowNanos;
    }

    /** Burst size: 100 ms worth of bytes, at least one segment. */
    static long capacityBytes(long bytesPerSecond) {
        return Math.max(bytesPerSecond / 10, SEGMENT_BYTES);
    }

    /**
     * Takes up to {@code wantedBytes} tokens if at least {@code min(wantedBytes, SEGMENT_BYTES)}
     * are there; otherwise takes none.
     *
     * @return the bytes that may be sent now, 0 to wait {@link #nanosUntilGrant(long, long)}
     */
    long take(long nowNanos, long wantedBytes) {
        refill(nowNanos);
        if (tokensBytes < Math.min(wantedBytes, SEGMENT_BYTES)) {
            return 0;
        }
        long grantedBytes = Math.min(tokensBytes, wantedBytes);
        tokensBytes -= grantedBytes;
        return grantedBytes;
    }

    /** How long until {@link #take} would grant something for {@code wantedBytes}; 0 if now. */
    long nanosUntilGrant(long nowNanos, long wantedBytes) {
        refill(nowNanos);
        long missingBytes = Math.min(wantedBytes, SEGMENT_BYTES) - tokensBytes;
        return missingBytes <= 0 ? 0 : ceilDiv(missingBytes * NANOS_PER_SECOND, bytesPerSecond);
    }

    private void refill(long nowNanos) {
        long elapsedNanos = nowNanos - refilledAtNanos;
        if (elapsedNanos <= 0) {
            return;
        }
        if (elapsedNanos >= fillNanos) {
            tokensBytes = capacityBytes;
            refilledAtNanos = nowNanos;
            return;
        }
        // elapsedNanos < fillNanos keeps this product below capacityBytes * 1e9 <= 1e18.
        long addedBytes = elapsedNanos * bytesPerSecond / NANOS_PER_SECOND;
        if (tokensBytes + addedBytes >= capacityBytes) {
            tokensBytes = capacityBytes;
            refilledAtNanos = nowNanos;
        } else if (addedBytes > 0) {
            tokensBytes += addedBytes;
            // Advance by the time those whole bytes took, rounded up, so the fraction of a byte
            // still accruing is never granted twice: the cap is never exceeded, only undershot.
            refilledAtNanos += ceilDiv(addedBytes * NANOS_PER_SECOND, bytesPerSecond);
        }
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}

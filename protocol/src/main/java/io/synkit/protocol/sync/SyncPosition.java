package io.synkit.protocol.sync;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.StreamPosition;
import io.synkit.protocol.client.SyncKey;

/**
 * A client's validated position in one user's timeline: the timeline epoch and the highest inbox
 * seq it holds. Built from the wire {@link SyncKey}; the server answers with {@link #toKey()}.
 *
 * <p>Rules (docs/protocol.md, Sync keys):
 * <ul>
 *   <li>An empty key (epoch 0, no positions) starts from the beginning of the timeline.</li>
 *   <li>A key of another epoch is {@link ErrorCode#SYNC_KEY_STALE}: the timeline was rebuilt, the
 *       client must drop local state and sync from an empty key. It is never silently served.</li>
 *   <li>{@code STREAM_CONV} positions (large groups) are skipped here: {@link ConvPositions}.</li>
 *   <li>A key naming an unknown stream, a stream twice, epoch 0 with positions, or a seq ahead of
 *       the timeline head is {@link ErrorCode#SYNC_KEY_INVALID}: no server issued it.</li>
 * </ul>
 */
public record SyncPosition(long epoch, long inboxSeq) {

    public static final SyncPosition EMPTY = new SyncPosition(0, 0);

    public SyncPosition {
        if (epoch < 0 || inboxSeq < 0) {
            throw new IllegalArgumentException("epoch=" + epoch + " inboxSeq=" + inboxSeq + " must be >= 0 (uint64 below 2^63)");
        }
    }

    /** Parses the wire key's shape; epoch and head checks happen in {@link #checkAgainst}. */
    public static SyncPosition fromKey(SyncKey key) {
        if (key.getEpoch() < 0) {
            throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key epoch " + Long.toUnsignedString(key.getEpoch()) + " is out of range");
        }
        if (key.getEpoch() == 0) {
            if (key.getPositionsCount() != 0) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key has epoch 0 but " + key.getPositionsCount() + " positions");
            }
            return EMPTY;
        }
        long inboxSeq = -1;
        for (StreamPosition position : key.getPositionsList()) {
            if (position.getStream() == Stream.STREAM_CONV) {
                continue; // a large group's log position: ConvPositions reads and checks those
            }
            if (position.getStream() != Stream.STREAM_INBOX) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key names unknown stream " + position.getStreamValue());
            }
            if (inboxSeq >= 0) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key names stream INBOX twice");
            }
            if (position.getSeq() < 0) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key seq " + Long.toUnsignedString(position.getSeq()) + " is out of range");
            }
            inboxSeq = position.getSeq();
        }
        return new SyncPosition(key.getEpoch(), Math.max(inboxSeq, 0));
    }

    /**
     * Checks this position against the user's timeline. An empty position adopts the timeline's
     * epoch.
     *
     * @return this position, with the timeline epoch when it was empty
     */
    public SyncPosition checkAgainst(long timelineEpoch, long headSeq) {
        if (epoch == 0) {
            return new SyncPosition(timelineEpoch, 0);
        }
        if (epoch != timelineEpoch) {
            throw new SyncKeyException(ErrorCode.SYNC_KEY_STALE,
                    "sync key epoch " + epoch + " differs from timeline epoch " + timelineEpoch + ": resync from an empty key");
        }
        if (inboxSeq > headSeq) {
            throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID,
                    "sync key seq " + inboxSeq + " is ahead of the timeline head " + headSeq);
        }
        return this;
    }

    /** The position after holding every op up to {@code seq}. Seqs never move backwards. */
    public SyncPosition advancedTo(long seq) {
        if (seq < inboxSeq) {
            throw new IllegalStateException("sync position would move backwards from " + inboxSeq + " to " + seq);
        }
        return new SyncPosition(epoch, seq);
    }

    public SyncKey toKey() {
        if (epoch == 0) {
            return SyncKey.getDefaultInstance();
        }
        return SyncKey.newBuilder()
                .setEpoch(epoch)
                .addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(inboxSeq))
                .build();
    }
}

package io.synkit.protocol.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.StreamPosition;
import io.synkit.protocol.client.SyncKey;
import org.junit.jupiter.api.Test;

class SyncPositionTest {

    private static SyncKey key(long epoch, long inboxSeq) {
        return SyncKey.newBuilder().setEpoch(epoch)
                .addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(inboxSeq))
                .build();
    }

    private static ErrorCode codeOf(Runnable action) {
        return assertThrows(SyncKeyException.class, action::run).code();
    }

    @Test
    void emptyKeyStartsAtTheBeginningAndAdoptsTheTimelineEpoch() {
        SyncPosition empty = SyncPosition.fromKey(SyncKey.getDefaultInstance());

        assertEquals(SyncPosition.EMPTY, empty);
        assertEquals(new SyncPosition(7, 0), empty.checkAgainst(7, 100));
    }

    @Test
    void keyWithinTheTimelineIsServedAsIs() {
        SyncPosition position = SyncPosition.fromKey(key(3, 10));

        assertEquals(new SyncPosition(3, 10), position.checkAgainst(3, 10));
        assertEquals(new SyncPosition(3, 4), SyncPosition.fromKey(key(3, 4)).checkAgainst(3, 10));
    }

    @Test
    void keyOfAnotherEpochIsStaleInEitherDirection() {
        assertEquals(ErrorCode.SYNC_KEY_STALE, codeOf(() -> SyncPosition.fromKey(key(3, 5)).checkAgainst(4, 10)));
        assertEquals(ErrorCode.SYNC_KEY_STALE, codeOf(() -> SyncPosition.fromKey(key(5, 5)).checkAgainst(4, 10)));
        // Stale wins over "ahead": a rebuilt timeline may be shorter than the client's old one.
        assertEquals(ErrorCode.SYNC_KEY_STALE, codeOf(() -> SyncPosition.fromKey(key(3, 50)).checkAgainst(4, 10)));
    }

    @Test
    void seqAheadOfTheTimelineHeadIsInvalid() {
        SyncKeyException failure = assertThrows(SyncKeyException.class, () -> SyncPosition.fromKey(key(2, 11)).checkAgainst(2, 10));

        assertEquals(ErrorCode.SYNC_KEY_INVALID, failure.code());
        assertTrue(failure.getMessage().contains("11") && failure.getMessage().contains("10"), failure.getMessage());
    }

    @Test
    void keyNamingAnUnknownStreamIsInvalid() {
        SyncKey unspecified = SyncKey.newBuilder().setEpoch(1)
                .addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_UNSPECIFIED).setSeq(1)).build();
        SyncKey fromTheFuture = SyncKey.newBuilder().setEpoch(1)
                .addPositions(StreamPosition.newBuilder().setStreamValue(99).setSeq(1)).build();

        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(unspecified)));
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(fromTheFuture)));
    }

    @Test
    void keyNamingTheInboxTwiceIsInvalid() {
        SyncKey twice = key(1, 3).toBuilder()
                .addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(3)).build();

        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(twice)));
    }

    @Test
    void epochZeroWithPositionsIsInvalid() {
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(key(0, 0))));
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(key(0, 5))));
    }

    @Test
    void seqAtOrAboveTwoToThe63IsInvalid() {
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(key(1, Long.MIN_VALUE))));
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(key(1, -1))));
    }

    @Test
    void epochAtOrAboveTwoToThe63IsInvalidNotStale() {
        // No server issues such an epoch, so the key is forged or corrupt, not merely old.
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(key(Long.MIN_VALUE, 1))));
        assertEquals(ErrorCode.SYNC_KEY_INVALID, codeOf(() -> SyncPosition.fromKey(key(-1, 1))));
    }

    @Test
    void keyWithAnEpochButNoPositionsHoldsNothingYet() {
        assertEquals(new SyncPosition(4, 0), SyncPosition.fromKey(SyncKey.newBuilder().setEpoch(4).build()));
    }

    @Test
    void positionNeverMovesBackwards() {
        SyncPosition position = new SyncPosition(2, 10);

        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> position.advancedTo(9));

        assertTrue(failure.getMessage().contains("10") && failure.getMessage().contains("9"), failure.getMessage());
        assertEquals(new SyncPosition(2, 10), position.advancedTo(10));
        assertEquals(new SyncPosition(2, 15), position.advancedTo(15));
    }

    @Test
    void keyRoundTripsThroughTheWireForm() {
        for (SyncPosition position : new SyncPosition[] {new SyncPosition(1, 0), new SyncPosition(1, 1), new SyncPosition(9, 123_456_789L),
                new SyncPosition(Long.MAX_VALUE, Long.MAX_VALUE)}) {
            assertEquals(position, SyncPosition.fromKey(position.toKey()), position.toString());
        }
        assertSame(SyncKey.getDefaultInstance(), SyncPosition.EMPTY.toKey());
        assertEquals(SyncPosition.EMPTY, SyncPosition.fromKey(SyncPosition.EMPTY.toKey()));
    }

    @Test
    void serverKeyNamesTheInboxStream() {
        SyncKey wire = new SyncPosition(5, 8).toKey();

        assertEquals(5, wire.getEpoch());
        assertEquals(1, wire.getPositionsCount());
        assertEquals(Stream.STREAM_INBOX, wire.getPositions(0).getStream());
        assertEquals(8, wire.getPositions(0).getSeq());
    }
}

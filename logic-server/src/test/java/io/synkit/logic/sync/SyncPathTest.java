package io.synkit.logic.sync;

import static io.synkit.logic.LogicPaths.answer;
import static io.synkit.logic.LogicPaths.caller;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.StreamPosition;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncRequest;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.sync.RangeDigests;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sync path: the caller's own inbox after the key, in pages, with new key, has_more and digest; bad keys refused. */
class SyncPathTest {

    private static final long USER = 1;
    private static final int OPS = 12;

    @TempDir
    Path dir;

    private LogicPaths logic;

    @BeforeEach
    void fill() {
        logic = new LogicPaths(dir, 2);
        for (int i = 1; i <= OPS; i++) {
            logic.send(USER, "d:1:2", "m" + i, "text " + i);
        }
    }

    @AfterEach
    void close() {
        logic.close();
    }

    private SyncResponse sync(long userId, SyncKey key, int limit) {
        return answer(() -> logic.sync.sync(caller(userId), SyncRequest.newBuilder().setKey(key).setLimit(limit).build()));
    }

    private ErrorCode refusal(SyncKey key) {
        return assertThrows(RpcException.class, () -> sync(USER, key, 0)).code();
    }

    private static SyncKey key(long epoch, long seq) {
        return SyncKey.newBuilder().setEpoch(epoch).addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(seq)).build();
    }

    private static List<Long> seqs(SyncResponse page) {
        return page.getOpsList().stream().map(Op::getSeq).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void pagesFromTheEmptyKeyCoverTheInboxDenselyWithMatchingKeysAndDigests() {
        SyncResponse first = sync(USER, SyncKey.getDefaultInstance(), 5);
        SyncResponse second = sync(USER, first.getNewKey(), 5);
        SyncResponse last = sync(USER, second.getNewKey(), 5);
        SyncResponse nothingNew = sync(USER, last.getNewKey(), 5);

        assertEquals(range(1, 5), seqs(first));
        assertEquals(range(6, 10), seqs(second));
        assertEquals(range(11, 12), seqs(last));
        assertEquals(List.of(), seqs(nothingNew));
        assertTrue(first.getHasMore() && second.getHasMore());
        assertFalse(last.getHasMore() || nothingNew.getHasMore());
        assertEquals(key(1, 5), first.getNewKey());
        assertEquals(key(1, 12), last.getNewKey());
        assertEquals(key(1, 12), nothingNew.getNewKey());
        for (SyncResponse page : List.of(first, second, last, nothingNew)) {
            assertEquals(RangeDigests.of(page.getOpsList()), page.getDigest());
        }
        assertEquals("text 6", second.getOps(0).getMessage().getBody().toStringUtf8());
    }

    @Test
    void limitZeroMeansTheDefaultAndALargerLimitIsCappedAtTheMax() {
        assertEquals(LogicPaths.SYNC_OPS_DEFAULT, sync(USER, SyncKey.getDefaultInstance(), 0).getOpsCount());
        assertEquals(LogicPaths.SYNC_OPS_MAX, sync(USER, SyncKey.getDefaultInstance(), 100).getOpsCount());
        assertEquals(LogicPaths.SYNC_OPS_MAX, sync(USER, SyncKey.getDefaultInstance(), -1).getOpsCount(), "a uint32 limit of 2^32-1");
    }

    @Test
    void keyOfAnotherTimelineEpochIsStale() {
        assertEquals(ErrorCode.SYNC_KEY_STALE, refusal(key(2, 3)));
    }

    @Test
    void keysNoServerIssuedAreInvalid() {
        assertEquals(ErrorCode.SYNC_KEY_INVALID, refusal(key(1, OPS + 1)), "ahead of the inbox head");
        assertEquals(ErrorCode.SYNC_KEY_INVALID, refusal(SyncKey.newBuilder().setEpoch(1)
                .addPositions(StreamPosition.newBuilder().setStreamValue(99).setSeq(1)).build()), "an unknown stream");
        assertEquals(ErrorCode.SYNC_KEY_INVALID, refusal(key(0, 3)), "epoch 0 with a position");
        assertEquals(ErrorCode.SYNC_KEY_INVALID, refusal(key(1, 1).toBuilder().addPositions(StreamPosition.newBuilder()
                .setStream(Stream.STREAM_INBOX).setSeq(2)).build()), "the inbox twice");
    }

    @Test
    void syncReadsOnlyTheCallersOwnInbox() {
        assertEquals(range(1, 5), seqs(sync(2, SyncKey.getDefaultInstance(), 5)), "user 2 has its own copies, its own seqs");
        assertEquals(List.of(), seqs(sync(3, SyncKey.getDefaultInstance(), 5)));
        assertEquals(ErrorCode.SYNC_KEY_INVALID, assertThrows(RpcException.class, () -> sync(3, key(1, 5), 5)).code(),
                "another user's key is ahead of this user's empty inbox");
    }
}

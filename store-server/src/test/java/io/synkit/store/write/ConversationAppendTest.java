package io.synkit.store.write;

import static io.synkit.store.write.StoreFixture.appendConvRequest;
import static io.synkit.store.write.StoreFixture.await;
import static io.synkit.store.write.StoreFixture.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.OutboxDoneBatchRequest;
import io.synkit.protocol.internal.OutboxDoneRequest;
import io.synkit.protocol.internal.OutboxScanRequest;
import io.synkit.protocol.internal.OutboxScanResponse;
import io.synkit.protocol.internal.ReadConvResponse;
import io.synkit.protocol.internal.ReadInboxRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.ManualClock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conversation log of a conversation's home SET: dense conv_seqs, idempotent sends, the outbox. */
class ConversationAppendTest {

    private static final String CONV = "d:1:2";

    @TempDir
    Path dir;

    private StoreFixture store;

    @BeforeEach
    void open() {
        store = new StoreFixture(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private OutboxScanResponse scanOutbox(int minAgeMs) {
        return store.reader.scanOutbox(OutboxScanRequest.newBuilder().setMinAgeMs(minAgeMs).setLimit(100).build());
    }

    @Test
    void sendsGetDenseConvSeqsFromOneInSendOrder() {
        for (int i = 1; i <= 10; i++) {
            long sender = i % 2 == 0 ? 2 : 1;
            AppendConvResponse response = store.appendConv(message(sender, CONV, "m" + i, "text " + i));
            assertFalse(response.getDuplicate());
            assertEquals(i, response.getMessage().getConvSeq());
            assertTrue(response.getMessage().getServerTimeMs() > 0);
        }

        ReadConvResponse log = store.readConv(CONV, 1);
        assertEquals(10, log.getHeadConvSeq());
        assertEquals(10, log.getMessagesCount());
        for (int i = 1; i <= 10; i++) {
            MessageOp stored = log.getMessages(i - 1);
            assertEquals(i, stored.getConvSeq());
            assertEquals("m" + i, stored.getClientMsgId());
            assertEquals("text " + i, stored.getBody().toStringUtf8());
        }
    }

    @Test
    void conversationsCountTheirConvSeqsIndependently() {
        assertEquals(1, store.appendConv(message(1, "d:1:2", "a", "x")).getMessage().getConvSeq());
        assertEquals(1, store.appendConv(message(1, "d:1:3", "b", "x")).getMessage().getConvSeq());
        assertEquals(2, store.appendConv(message(1, "d:1:2", "c", "x")).getMessage().getConvSeq());
    }

    @Test
    void retriedSendReturnsOriginalConvSeqAndDoesNotAdvanceTheHead() {
        AppendConvResponse original = store.appendConv(message(1, CONV, "m1", "first attempt"));
        store.appendConv(message(2, CONV, "m2", "reply"));

        AppendConvResponse retry = store.appendConv(message(1, CONV, "m1", "retry with another body"));

        assertTrue(retry.getDuplicate());
        assertEquals(original.getMessage(), retry.getMessage());
        assertEquals(2, store.readConv(CONV, 1).getHeadConvSeq());
        assertEquals(3, store.appendConv(message(1, CONV, "m3", "next")).getMessage().getConvSeq());
    }

    @Test
    void retryQueuedInTheSameBatchIsStillDeduplicated() {
        CompletableFuture<StoreResponse> first = store.pipeline.submit(appendConvRequest(message(1, CONV, "m1", "x")));
        CompletableFuture<StoreResponse> retry = store.pipeline.submit(appendConvRequest(message(1, CONV, "m1", "x")));

        AppendConvResponse firstResponse = await(first).getAppendConv();
        AppendConvResponse retryResponse = await(retry).getAppendConv();

        assertFalse(firstResponse.getDuplicate());
        assertTrue(retryResponse.getDuplicate());
        assertEquals(firstResponse.getMessage().getConvSeq(), retryResponse.getMessage().getConvSeq());
        assertEquals(1, store.readConv(CONV, 1).getHeadConvSeq());
    }

    @Test
    void sameClientMsgIdFromAnotherSenderIsANewMessage() {
        store.appendConv(message(1, CONV, "same-id", "from 1"));

        AppendConvResponse other = store.appendConv(message(2, CONV, "same-id", "from 2"));

        assertFalse(other.getDuplicate());
        assertEquals(2, other.getMessage().getConvSeq());
    }

    /**
     * Issue 15 A3: the idempotency key is (sender, conversation, client_msg_id). The same id reused
     * in another conversation of the same SET was answered as a retry of the first conversation's
     * message, whose fan-out then reached the second conversation's members.
     */
    @Test
    void clientMsgIdReusedInAnotherConversationIsANewMessageOfThatConversation() {
        store.write(StoreFixture.createGroupRequest("g:1:team", List.of(1L, 2L, 3L)));
        MessageOp inGroup = store.appendConv(message(1, "g:1:team", "reused", "to the team")).getMessage();

        AppendConvResponse inDirect = store.appendConv(message(1, "d:1:4", "reused", "to user 4"));
        AppendConvResponse inOtherDirect = store.appendConv(message(1, CONV, "reused", "to user 2"));

        assertFalse(inDirect.getDuplicate(), inDirect.toString());
        assertEquals("d:1:4", inDirect.getMessage().getConvId());
        assertEquals(1, inDirect.getMessage().getConvSeq());
        assertEquals("to user 4", inDirect.getMessage().getBody().toStringUtf8());
        assertFalse(inOtherDirect.getDuplicate(), inOtherDirect.toString());
        assertEquals(CONV, inOtherDirect.getMessage().getConvId());
        assertEquals(List.of(inGroup), store.readConv("g:1:team", 1).getMessagesList(), "the group's log is untouched");
        assertTrue(store.appendConv(message(1, "d:1:4", "reused", "retry")).getDuplicate(), "a retry in the same conversation is still one");
        assertEquals(inGroup, store.appendConv(message(1, "g:1:team", "reused", "retry")).getMessage());
    }

    /** Issue 15 A9: server_time_ms stays non-decreasing in a conversation when the primary's wall clock steps back. */
    @Test
    void serverTimeNeverGoesBackwardsInAConversationWhenTheClockStepsBack() {
        store.close();
        ManualClock clock = new ManualClock(1_767_139_200_000L);
        store = new StoreFixture(dir, clock);

        long first = store.appendConv(message(1, CONV, "m1", "x")).getMessage().getServerTimeMs();
        clock.stepWallMs(first - 24_000);
        long second = store.appendConv(message(2, CONV, "m2", "x")).getMessage().getServerTimeMs();
        long otherConv = store.appendConv(message(1, "d:1:3", "m3", "x")).getMessage().getServerTimeMs();
        clock.stepWallMs(first + 5_000);
        long third = store.appendConv(message(1, CONV, "m4", "x")).getMessage().getServerTimeMs();

        assertEquals(first, second, "held at the previous entry's time while the clock is behind it");
        assertEquals(first - 24_000, otherConv, "another conversation follows the clock");
        assertEquals(first + 5_000, third, "follows the clock again once it is ahead");
    }

    @Test
    void senderOutsideTheConversationIsForbiddenAndNothingIsWritten() {
        RpcException failure = assertThrows(RpcException.class, () -> store.appendConv(message(3, CONV, "m1", "intruder")));

        assertEquals(ErrorCode.FORBIDDEN, failure.code());
        assertEquals(0, store.readConv(CONV, 1).getHeadConvSeq());
        assertEquals(0, scanOutbox(0).getMessagesCount());
    }

    @Test
    void refusedCommandLeavesTheRestOfItsBatchIntact() {
        CompletableFuture<StoreResponse> before = store.pipeline.submit(appendConvRequest(message(1, CONV, "m1", "x")));
        CompletableFuture<StoreResponse> forbidden = store.pipeline.submit(appendConvRequest(message(3, CONV, "m2", "x")));
        CompletableFuture<StoreResponse> after = store.pipeline.submit(appendConvRequest(message(2, CONV, "m3", "x")));

        assertEquals(1, await(before).getAppendConv().getMessage().getConvSeq());
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> await(forbidden)).code());
        assertEquals(2, await(after).getAppendConv().getMessage().getConvSeq());
        assertEquals(2, store.readConv(CONV, 1).getMessagesCount());
    }

    @Test
    void badConversationIdOrClientMsgIdIsAnInvalidRequest() {
        for (MessageOp bad : new MessageOp[] {message(1, "d:2:1", "m1", "x"), message(1, "g:1:2", "m1", "x"),
                message(1, CONV, "", "x"), message(1, CONV, "m".repeat(65), "x")}) {
            RpcException failure = assertThrows(RpcException.class, () -> store.appendConv(bad), bad.toString());
            assertEquals(ErrorCode.INVALID_REQUEST, failure.code(), failure.getMessage());
        }
        assertEquals(0, store.readConv(CONV, 1).getHeadConvSeq());
    }

    @Test
    void readRequestSubmittedAsAWriteIsRefused() {
        StoreRequest read = StoreRequest.newBuilder().setReadInbox(ReadInboxRequest.newBuilder().setUserId(1)).build();

        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> store.write(read)).code());
        assertNull(store.pipeline.failure(), "a bad request does not stop the replica");
    }

    @Test
    void committedSendWaitsInTheOutboxUntilItsFanOutIsDone() {
        MessageOp committed = store.appendConv(message(1, CONV, "m1", "x")).getMessage();
        MessageOp other = store.appendConv(message(1, "d:1:3", "m2", "x")).getMessage();

        OutboxScanResponse pending = scanOutbox(0);
        assertEquals(2, pending.getMessagesCount());
        assertTrue(pending.getMessagesList().contains(committed) && pending.getMessagesList().contains(other), pending.toString());
        assertEquals(0, scanOutbox(60_000).getMessagesCount(), "entries younger than min_age are left to the normal path");

        store.write(StoreRequest.newBuilder().setOutboxDone(OutboxDoneRequest.newBuilder().setConvId(CONV).setConvSeq(1)).build());

        assertEquals(List.of(other), scanOutbox(0).getMessagesList());
        assertEquals(committed, store.readConv(CONV, 1).getMessages(0), "done clears the outbox, not the log");
    }

    @Test
    void retriedSendDoesNotAddASecondOutboxEntry() {
        store.appendConv(message(1, CONV, "m1", "x"));
        store.appendConv(message(1, CONV, "m1", "x"));

        assertEquals(1, scanOutbox(0).getMessagesCount());
    }

    @Test
    void oneDoneBatchClearsTheMarksOfManyConversationsAndABadIdInItClearsNone() {
        MessageOp first = store.appendConv(message(1, CONV, "m1", "x")).getMessage();
        store.appendConv(message(1, CONV, "m2", "x"));
        MessageOp other = store.appendConv(message(1, "d:1:3", "m3", "x")).getMessage();
        MessageOp kept = store.appendConv(message(1, "d:1:4", "m4", "x")).getMessage();
        OutboxDoneBatchRequest.Builder spoiled = OutboxDoneBatchRequest.newBuilder().addEntries(done(CONV, 1))
                .addEntries(OutboxDoneRequest.newBuilder().setConvId("not a conversation").setConvSeq(1));

        RpcException refused = assertThrows(RpcException.class, () -> store.write(StoreRequest.newBuilder().setOutboxDoneBatch(spoiled).build()));
        assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
        assertEquals(4, scanOutbox(0).getMessagesCount(), "the batch is checked whole before its first delete");

        store.write(StoreRequest.newBuilder().setOutboxDoneBatch(OutboxDoneBatchRequest.newBuilder().addEntries(done(CONV, 1))
                .addEntries(done(CONV, 2)).addEntries(done(other.getConvId(), other.getConvSeq()))).build());

        assertEquals(List.of(kept), scanOutbox(0).getMessagesList());
        assertEquals(first, store.readConv(CONV, 1).getMessages(0), "done clears the outbox, not the log");
    }

    private static OutboxDoneRequest done(String convId, long convSeq) {
        return OutboxDoneRequest.newBuilder().setConvId(convId).setConvSeq(convSeq).build();
    }
}

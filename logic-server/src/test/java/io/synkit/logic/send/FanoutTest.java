package io.synkit.logic.send;

import static io.synkit.logic.LogicPaths.answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out of a committed entry to members' inboxes: an inbox takes a conversation's entries in
 * conv_seq order, so an entry that arrives before its predecessors first copies them from the
 * conversation log (gap repair); an inbox refuses an entry for a non-member.
 */
class FanoutTest {

    private static final String CONV = "d:1:2";
    private static final List<Long> MEMBERS = List.of(1L, 2L);

    @TempDir
    Path dir;

    /** Commits entries 1..count of a conversation in its log only, as if every fan-out of them stalled. */
    private static List<MessageOp> commitWithoutFanOut(LogicPaths logic, String convId, long sender, int count) {
        return LongStream.rangeClosed(1, count).mapToObj(i -> logic.stores.forConversation(convId, StoreRequest.newBuilder()
                .setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder().setConvId(convId).setSenderUserId(sender)
                        .setSenderDeviceId("phone").setClientMsgId("m" + i).setContentType(ContentType.CONTENT_TYPE_TEXT)
                        .setBody(ByteString.copyFromUtf8("entry " + i)))).build()).join().getAppendConv().getMessage()).toList();
    }

    private static List<Long> convSeqs(List<MessageOp> messages) {
        return messages.stream().map(MessageOp::getConvSeq).toList();
    }

    @Test
    void entryArrivingBeforeItsPredecessorsCopiesThemFromTheLogFirst() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            List<MessageOp> entries = commitWithoutFanOut(logic, CONV, 1, 3);

            List<Long> seqs = answer(() -> logic.fanout.toMembers(entries.get(2), MEMBERS));

            assertEquals(List.of(3L, 3L), seqs, "the entry's seq in each member's inbox, in member order");
            assertEquals(entries, logic.inbox(1));
            assertEquals(entries, logic.inbox(2));
        }
    }

    @Test
    void gapLongerThanOneRepairRoundIsClosedInSeveralRounds() {
        int count = Fanout.REPAIR_ENTRIES_PER_ROUND_MAX + 20;
        try (LogicPaths logic = new LogicPaths(dir, 1)) {
            List<MessageOp> entries = commitWithoutFanOut(logic, CONV, 1, count);

            answer(() -> logic.fanout.toMembers(entries.get(count - 1), List.of(2L)));

            assertEquals(convSeqs(entries), convSeqs(logic.inbox(2)));
        }
    }

    @Test
    void repeatedFanOutAnswersTheSameSeqsAndAddsNothing() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            List<MessageOp> entries = commitWithoutFanOut(logic, CONV, 1, 2);
            List<Long> first = answer(() -> logic.fanout.toMembers(entries.get(1), MEMBERS));

            List<Long> again = answer(() -> logic.fanout.toMembers(entries.get(1), MEMBERS));
            answer(() -> logic.fanout.toMembers(entries.get(0), MEMBERS));

            assertEquals(first, again);
            assertEquals(entries, logic.inbox(1));
        }
    }

    @Test
    void failedRepairReadFailsTheFanOutAndWritesNothingOutOfOrder() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            List<MessageOp> entries = commitWithoutFanOut(logic, CONV, 1, 2);
            logic.stores.failWhen(StoreRequest::hasReadConv, ErrorCode.UNAVAILABLE);

            RpcException failure = assertThrows(RpcException.class, () -> answer(() -> logic.fanout.toMembers(entries.get(1), MEMBERS)));

            assertEquals(ErrorCode.UNAVAILABLE, failure.code());
            assertEquals(List.of(), logic.inbox(1));
            assertEquals(List.of(), logic.inbox(2));
        }
    }

    /** Defence where the data lands: whatever member list logic fans out to, an outsider's inbox refuses a group's entry. */
    @Test
    void groupEntryFannedOutToANonMemberIsRefusedByThatInbox() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            MessageOp entry = commitWithoutFanOut(logic, "g:1:team", 1, 1).get(0);

            RpcException failure = assertThrows(RpcException.class, () -> answer(() -> logic.fanout.toMembers(entry, List.of(1L, 2L, 3L, 4L))));

            assertEquals(ErrorCode.FORBIDDEN, failure.code(), failure.getMessage());
            assertEquals(List.of(), logic.inbox(4));
            assertEquals(List.of(entry), logic.inbox(3), "the members' inboxes took it");
        }
    }
}

package io.synkit.logic.send;

import static io.synkit.logic.LogicPaths.answer;
import static io.synkit.logic.LogicPaths.caller;
import static io.synkit.logic.LogicPaths.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.internal.OutboxScanRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.StoreSet;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The send path: validate, append to the conversation log, fan out to every member, then ack. */
class SendPathTest {

    @TempDir
    Path dir;

    private static List<String> bodies(List<MessageOp> messages) {
        return messages.stream().map(m -> m.getConvId() + "#" + m.getConvSeq() + ":" + m.getBody().toStringUtf8()).toList();
    }

    private static int outboxEntries(LogicPaths logic) {
        StoreRequest scan = StoreRequest.newBuilder().setOutboxScan(OutboxScanRequest.newBuilder().setLimit(100)).build();
        return logic.stores.slotMap().sets().stream().mapToInt(set -> logic.stores.call(set, scan).join().getOutboxScan().getMessagesCount()).sum();
    }

    @Test
    void sendReachesBothInboxesBeforeItsAckAndLeavesNothingInTheOutbox() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.send(2, "d:1:2", "m0", "earlier, from 2");

            SendAck ack = logic.send(1, "d:1:2", "m1", "hi");

            assertEquals("d:1:2", ack.getConvId());
            assertEquals(2, ack.getConvSeq());
            assertEquals(2, ack.getSeq(), "the seq in the sender's own inbox");
            assertTrue(ack.getServerTimeMs() > 0);
            assertFalse(ack.getDuplicate());
            assertEquals(List.of("d:1:2#1:earlier, from 2", "d:1:2#2:hi"), bodies(logic.inbox(1)));
            assertEquals(List.of("d:1:2#1:earlier, from 2", "d:1:2#2:hi"), bodies(logic.inbox(2)));
            assertEquals(2, outboxEntries(logic), "finished fan-outs wait for their SET's next batch to clear their marks");
            logic.completions.flush().join();
            assertEquals(0, outboxEntries(logic), "a fan-out that completed clears its outbox mark");
        }
    }

    @Test
    void retriedSendAnswersTheOriginalAckAndDeliversOnce() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            SendAck first = logic.send(1, "d:1:2", "m1", "hi");

            SendAck retry = logic.send(1, "d:1:2", "m1", "hi, the retry's body is ignored");

            assertTrue(retry.getDuplicate());
            assertEquals(first.toBuilder().setDuplicate(true).build(), retry);
            assertEquals(List.of("d:1:2#1:hi"), bodies(logic.inbox(2)));
        }
    }

    /**
     * Issue 15 A3, as it was seen: a group and a 1:1 conversation homed on one SET, one
     * client_msg_id used in both. The second send was answered as a retry of the group's message,
     * and its fan-out wrote the group's message into the inbox of the 1:1 partner, not a member.
     */
    @Test
    void clientMsgIdReusedInAnotherConversationOfTheSameSetIsANewMessageThere() {
        try (LogicPaths logic = new LogicPaths(dir, 1)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            SendAck inGroup = logic.send(1, "g:1:team", "reused", "team only");

            SendAck inDirect = logic.send(1, "d:1:4", "reused", "for 4");

            assertFalse(inDirect.getDuplicate());
            assertEquals("d:1:4", inDirect.getConvId());
            assertEquals(1, inDirect.getConvSeq());
            assertEquals(List.of("d:1:4#1:for 4"), bodies(logic.inbox(4)), "user 4 gets its own message and nothing of the group");
            assertEquals(List.of("g:1:team#1:team only", "d:1:4#1:for 4"), bodies(logic.inbox(1)));
            assertEquals(List.of("g:1:team#1:team only"), bodies(logic.inbox(2)));
            assertEquals(inGroup.toBuilder().setDuplicate(true).build(), logic.send(1, "g:1:team", "reused", "retry"));
        }
    }

    /** The same rule holds whichever SETs the conversations live on: a new message per conversation. */
    @Test
    void clientMsgIdReusedInAConversationOfAnotherSetIsANewMessageThere() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            StoreSet directHome = logic.stores.slotMap().setOfConversation("d:1:4");
            String group = IntStream.range(0, 100).mapToObj(i -> "g:1:team-" + i)
                    .filter(conv -> !logic.stores.slotMap().setOfConversation(conv).equals(directHome)).findFirst().orElseThrow();
            logic.createGroup(1, group.substring("g:1:".length()), List.of(2L, 3L));
            logic.send(1, group, "reused", "team only");

            SendAck inDirect = logic.send(1, "d:1:4", "reused", "for 4");
            SendAck inGroupAgain = logic.send(1, group, "reused", "retry");

            assertNotEquals(directHome, logic.stores.slotMap().setOfConversation(group));
            assertFalse(inDirect.getDuplicate());
            assertTrue(inGroupAgain.getDuplicate());
            assertEquals(List.of("d:1:4#1:for 4"), bodies(logic.inbox(4)));
            assertEquals(List.of(group + "#1:team only", "d:1:4#1:for 4"), bodies(logic.inbox(1)));
        }
    }

    @Test
    void groupMessageReachesEveryMemberInOneOrderAndNoOneElse() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));

            logic.send(2, "g:1:team", "a", "from 2");
            logic.send(3, "g:1:team", "b", "from 3");

            for (long member : List.of(1L, 2L, 3L)) {
                assertEquals(List.of("g:1:team#1:from 2", "g:1:team#2:from 3"), bodies(logic.inbox(member)), "member " + member);
            }
            assertEquals(List.of(), logic.inbox(4));
        }
    }

    @Test
    void outsiderCannotSendToAGroupOrA1To1ConversationAndNothingIsWritten() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L));

            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.send(4, "g:1:team", "x", "let me in")).code());
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.send(4, "d:1:2", "y", "let me in")).code());
            assertEquals(List.of(), logic.inbox(1));
            assertEquals(List.of(), logic.inbox(2));
        }
    }

    @Test
    void sendToAGroupThatDoesNotExistIsAnInvalidRequest() {
        try (LogicPaths logic = new LogicPaths(dir, 1)) {
            RpcException failure = assertThrows(RpcException.class, () -> logic.send(1, "g:1:nothing", "x", "hello?"));

            assertEquals(ErrorCode.INVALID_REQUEST, failure.code(), failure.getMessage());
        }
    }

    @Test
    void badRequestsAreRefusedBeforeAnyStoreCall() {
        try (LogicPaths logic = new LogicPaths(dir, 1)) {
            assertEquals(ErrorCode.INVALID_REQUEST, refusal(logic, text("d:2:1", "m", "x")));
            assertEquals(ErrorCode.INVALID_REQUEST, refusal(logic, text("d:1:2", "", "x")));
            assertEquals(ErrorCode.INVALID_REQUEST, refusal(logic, text("d:1:2", "m".repeat(65), "x")));
            assertEquals(ErrorCode.MESSAGE_TOO_LARGE, refusal(logic, text("d:1:2", "m", "x".repeat(LogicPaths.BODY_BYTES_MAX + 1))));
            assertEquals(ErrorCode.INVALID_REQUEST, refusal(logic, text("d:1:2", "m", "x").toBuilder().setContentTypeValue(0).build()));
            assertEquals(ErrorCode.FORBIDDEN, refusal(logic, text("d:2:3", "m", "x")));

            assertEquals(List.of(), logic.stores.requests());
        }
    }

    private static ErrorCode refusal(LogicPaths logic, io.synkit.protocol.client.SendRequest request) {
        return assertThrows(RpcException.class, () -> answer(() -> logic.send.send(caller(1), request))).code();
    }

    @Test
    void failedFanOutFailsTheSendAndItsRetryDeliversOnce() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.stores.failWhen(request -> request.hasAppendInbox() && request.getAppendInbox().getUserId() == 2, ErrorCode.UNAVAILABLE);
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> logic.send(1, "d:1:2", "m1", "hi")).code());
            logic.stores.heal();

            SendAck retry = logic.send(1, "d:1:2", "m1", "hi");

            assertTrue(retry.getDuplicate(), "committed before the fan-out failed");
            assertEquals(List.of("d:1:2#1:hi"), bodies(logic.inbox(1)));
            assertEquals(List.of("d:1:2#1:hi"), bodies(logic.inbox(2)));
            logic.completions.flush().join();
            assertEquals(0, outboxEntries(logic));
        }
    }
}

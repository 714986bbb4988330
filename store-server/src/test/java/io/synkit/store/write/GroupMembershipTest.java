package io.synkit.store.write;

import static io.synkit.store.write.StoreFixture.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.AddMembershipResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group membership records in a member's own SET: an inbox takes a group's entries only for a user
 * whose record it holds, whatever logic fans out.
 */
class GroupMembershipTest {

    private static final String GROUP = "g:1:team";

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

    private boolean addMembership(long userId, String convId) {
        return store.write(StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(userId).setConvId(convId)).build())
                .getAddMembership().getAdded();
    }

    private MessageOp groupEntry(String text) {
        return store.appendConv(message(1, GROUP, text, text)).getMessage();
    }

    @Test
    void groupEntryIsTakenForAUserWhoseMembershipIsRecorded() {
        store.write(StoreFixture.createGroupRequest(GROUP, List.of(1L, 2L, 3L)));
        assertTrue(addMembership(2, GROUP));
        MessageOp first = groupEntry("m1");

        assertEquals(1, store.appendInbox(2, first).getSeq());
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> store.appendInbox(3, first)).code(),
                "a member of the group record whose own SET holds no membership record is refused too");
    }

    @Test
    void membershipIsRecordedOnce() {
        assertTrue(addMembership(2, GROUP));
        assertFalse(addMembership(2, GROUP), "a retry keeps the record");
        assertTrue(addMembership(3, GROUP), "another member has a record of its own");
    }

    @Test
    void membershipOfA1To1ConversationOrOfNoUserIsAnInvalidRequest() {
        for (StoreRequest bad : List.of(
                StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(2).setConvId("d:1:2")).build(),
                StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(0).setConvId(GROUP)).build(),
                StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(2).setConvId("g:1:")).build())) {
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> store.write(bad), bad.toString()).code());
        }
    }

    private AddMembershipResponse stint(long userId, long joinedConvSeq) {
        return store.write(StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(userId).setConvId(GROUP)
                .setJoinedConvSeq(joinedConvSeq)).build()).getAddMembership();
    }

    private static MessageOp change(long convSeq, GroupChangeKind kind, long user) {
        return StoreFixture.entry(GROUP, convSeq).toBuilder().clearBody().clearContentType()
                .setGroupChange(GroupChange.newBuilder().setKind(kind).addUserIds(user)).build();
    }

    @Test
    void inboxTakesNothingAfterTheEntryThatRemovedTheUser() {
        assertTrue(addMembership(2, GROUP));
        store.appendInbox(2, StoreFixture.entry(GROUP, 1));
        store.appendInbox(2, change(2, GroupChangeKind.MEMBERS_REMOVED, 2));

        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> store.appendInbox(2, StoreFixture.entry(GROUP, 3))).code());
        assertTrue(store.appendInbox(2, change(2, GroupChangeKind.MEMBERS_REMOVED, 2)).getDuplicate(), "a retry of the removal is still answered");
    }

    @Test
    void stintStartsAtTheEntryThatAddedTheUserAndOnlyAfterTheOldOneEnded() {
        assertTrue(stint(3, 5).getAdded());
        assertFalse(stint(3, 5).getAdded(), "the same stint again is a retry");
        assertFalse(stint(3, 4).getAdded(), "an older stint is stale");
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> store.appendInbox(3, StoreFixture.entry(GROUP, 4))).code());
        assertEquals(1, store.appendInbox(3, change(5, GroupChangeKind.MEMBERS_ADDED, 3)).getSeq(), "the first entry is the change (no gap before it)");

        AddMembershipResponse reAdd = stint(3, 9);
        assertTrue(reAdd.getEarlierStintOpen(), "the stint from 5 has not ended in this inbox");
        assertEquals(6, reAdd.getNextConvSeq());
        store.appendInbox(3, StoreFixture.entry(GROUP, 6));
        store.appendInbox(3, change(7, GroupChangeKind.MEMBER_LEFT, 3));
        assertTrue(stint(3, 9).getAdded(), "the old stint ended at 7");
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> store.appendInbox(3, StoreFixture.entry(GROUP, 8))).code());
        assertFalse(store.appendInbox(3, change(9, GroupChangeKind.MEMBERS_ADDED, 3)).getGap());
    }
}

package io.synkit.logic.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.GroupChanged;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes as entries of the group's conversation: every member at a change sees it in
 * conv_seq order; an added member receives from the change that added them on, a removed member
 * up to their removal and nothing after, even when fan-outs crash midway or a member is removed
 * and added again before the removal reached their inbox. Only the creator changes membership.
 */
class MembershipChangeTest {

    private static final String GROUP = "g:1:team";

    @TempDir
    Path dir;

    /** "conv_seq:text" of a user's conversation entries, changes as "conv_seq:KIND[users]". */
    private static List<String> view(LogicPaths logic, long user) {
        return logic.entries(user).stream().map(MembershipChangeTest::describe).toList();
    }

    private static String describe(MessageOp entry) {
        return entry.getConvSeq() + ":" + (entry.hasGroupChange() ? entry.getGroupChange().getKind() + "" + entry.getGroupChange().getUserIdsList()
                : entry.getBody().toStringUtf8());
    }

    private static GroupChanged add(LogicPaths logic, String id, long... users) {
        return logic.change(1, GROUP, id, GroupChangeKind.MEMBERS_ADDED, LongStream.of(users).boxed().toList());
    }

    private static GroupChanged remove(LogicPaths logic, String id, long... users) {
        return logic.change(1, GROUP, id, GroupChangeKind.MEMBERS_REMOVED, LongStream.of(users).boxed().toList());
    }

    @Test
    void addedMemberReceivesFromTheChangeThatAddedThemOnAndEveryoneSeesItInOrder() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L));
            logic.send(1, GROUP, "m1", "hello");
            logic.send(2, GROUP, "m2", "hi");

            GroupChanged added = add(logic, "c1", 3);
            logic.send(3, GROUP, "m3", "thanks");

            assertEquals(3, added.getConvSeq());
            List<String> all = List.of("1:hello", "2:hi", "3:MEMBERS_ADDED[3]", "4:thanks");
            assertEquals(all, view(logic, 1));
            assertEquals(all, view(logic, 2));
            assertEquals(all.subList(2, 4), view(logic, 3));
            Op change = logic.ops(3).get(0);
            assertTrue(change.hasGroupChange(), "a change is an op of its own kind, which a client that does not know it skips");
            assertEquals(1, change.getGroupChange().getSenderUserId(), "the actor");
        }
    }

    @Test
    void removedMemberReceivesTheRemovalAndNothingAfterItWhateverAFanOutSends() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            logic.send(2, GROUP, "m1", "before");

            remove(logic, "c1", 3);
            logic.send(2, GROUP, "m2", "after");

            assertEquals(List.of("1:before", "2:MEMBERS_REMOVED[3]"), view(logic, 3));
            assertEquals(List.of("1:before", "2:MEMBERS_REMOVED[3]", "3:after"), view(logic, 2));
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.send(3, GROUP, "m3", "still here?")).code());
            MessageOp after = logic.entries(2).get(2);
            RpcException refused = assertThrows(RpcException.class, () -> LogicPaths.answer(() -> logic.stores.forUser(3, StoreRequest.newBuilder()
                    .setAppendInbox(AppendInboxRequest.newBuilder().setUserId(3).setMessage(after)).build())));
            assertEquals(ErrorCode.FORBIDDEN, refused.code(), "the removed member's own SET refuses what a wrong fan-out would send");
        }
    }

    @Test
    void memberWhoLeavesGetsTheirLeaveAsTheLastEntry() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L, 3L));

            GroupChanged left = logic.change(2, GROUP, "l1", GroupChangeKind.MEMBER_LEFT, List.of());
            logic.send(1, GROUP, "m1", "bye");

            assertEquals(List.of("1:MEMBER_LEFT[2]"), view(logic, 2));
            assertEquals(logic.ops(2).get(0).getSeq(), left.getSeq(), "the leaver's answer names the op in their own inbox");
            assertEquals(List.of("1:MEMBER_LEFT[2]", "2:bye"), view(logic, 3));
        }
    }

    @Test
    void onlyTheCreatorChangesMembershipAndTheCreatorStays() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L, 3L));

            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class,
                    () -> logic.change(2, GROUP, "c1", GroupChangeKind.MEMBERS_ADDED, List.of(4L))).code());
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class,
                    () -> logic.change(2, GROUP, "c2", GroupChangeKind.MEMBERS_REMOVED, List.of(3L))).code());
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class,
                    () -> logic.change(1, GROUP, "c3", GroupChangeKind.MEMBER_LEFT, List.of())).code(), "the group would have no admin");
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> remove(logic, "c4", 1)).code());
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> add(logic, "c5", 2)).code(), "a member already");
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> remove(logic, "c6", 9)).code(), "not a member");
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class,
                    () -> logic.change(9, GROUP, "c7", GroupChangeKind.MEMBER_LEFT, List.of())).code(), "an outsider");
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class,
                    () -> logic.change(1, "d:1:2", "c8", GroupChangeKind.MEMBERS_ADDED, List.of(3L))).code(), "a 1:1 conversation");
            assertEquals(List.of(), view(logic, 2), "no refused change became an entry");
        }
    }

    @Test
    void limitsOnGroupSizeAndOnUsersPerChangeAreEnforced() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", LongStream.rangeClosed(2, LogicPaths.GROUP_MEMBERS_MAX - 1).boxed().toList());

            assertEquals(ErrorCode.GROUP_FULL, assertThrows(RpcException.class, () -> add(logic, "c1", 100, 101)).code());
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class,
                    () -> add(logic, "c2", LongStream.rangeClosed(100, 100 + LogicPaths.GROUP_CHANGE_USERS_MAX).toArray())).code());
            assertEquals(1, add(logic, "c3", 100).getConvSeq(), "the last free place can be taken (the change is entry 1)");
        }
    }

    @Test
    void retriedChangeAnswersTheOriginalEntry() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L));
            GroupChanged first = add(logic, "c1", 3);

            GroupChanged retry = add(logic, "c1", 3);

            assertFalse(first.getDuplicate());
            assertTrue(retry.getDuplicate());
            assertEquals(first.getConvSeq(), retry.getConvSeq());
            assertEquals(first.getSeq(), retry.getSeq());
            assertEquals(List.of("1:MEMBERS_ADDED[3]"), view(logic, 3));
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.send(1, GROUP, "c1", "x")).code(),
                    "a change's client_msg_id is not a message's");
        }
    }

    @Test
    void memberRemovedAndAddedAgainGetsTheEntriesOfEachStintOnly() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            logic.send(2, GROUP, "m1", "one");
            remove(logic, "c1", 3);
            logic.send(2, GROUP, "m2", "while away");
            add(logic, "c2", 3);
            logic.send(3, GROUP, "m3", "back");

            assertEquals(List.of("1:one", "2:MEMBERS_REMOVED[3]", "4:MEMBERS_ADDED[3]", "5:back"), view(logic, 3));
        }
    }

    @Test
    void memberAddedAgainBeforeTheirRemovalReachedTheirInboxGetsTheRemovalFirstAndNothingBetween() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            logic.send(2, GROUP, "m1", "one");
            logic.stores.failWhen(request -> request.hasAppendInbox() && request.getAppendInbox().getUserId() == 3, ErrorCode.UNAVAILABLE);
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> remove(logic, "c1", 3)).code());
            logic.stores.heal();
            logic.send(2, GROUP, "m2", "while away");

            add(logic, "c2", 3);

            assertEquals(List.of("1:one", "2:MEMBERS_REMOVED[3]", "4:MEMBERS_ADDED[3]"), view(logic, 3));
        }
    }

    @Test
    void addedMemberWhoseStintWasNeverRecordedGetsItFromTheNextFanOut() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L));
            logic.stores.failWhen(request -> request.hasAddMembership() || request.hasAppendInbox() && request.getAppendInbox().getUserId() == 3,
                    ErrorCode.UNAVAILABLE);
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> add(logic, "c1", 3)).code(), "crashed midway");
            logic.stores.heal();

            logic.send(2, GROUP, "m1", "welcome");

            assertEquals(List.of("1:MEMBERS_ADDED[3]", "2:welcome"), view(logic, 3));
        }
    }

    @Test
    void leaveOrMessageRetriedAfterTheSenderLeftIsAnsweredAsTheOriginal() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            logic.send(2, GROUP, "m1", "last words");
            GroupChanged left = logic.change(2, GROUP, "l1", GroupChangeKind.MEMBER_LEFT, List.of());

            GroupChanged leftAgain = logic.change(2, GROUP, "l1", GroupChangeKind.MEMBER_LEFT, List.of());

            assertTrue(leftAgain.getDuplicate(), "the answer was lost, the leave happened: the retry says so");
            assertEquals(left.getConvSeq(), leftAgain.getConvSeq());
            assertEquals(left.getSeq(), leftAgain.getSeq());
            assertTrue(logic.send(2, GROUP, "m1", "last words").getDuplicate(), "a message sent before leaving, retried after");
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.send(2, GROUP, "m2", "new")).code());
        }
    }

    @Test
    void membersWithoutAMembershipRecordGetTheirStintFromTheNextFanOut() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            // A group whose members' SETs hold no membership records, as groups created before they existed.
            LogicPaths.answer(() -> logic.stores.forConversation(GROUP, StoreRequest.newBuilder().setCreateGroup(CreateGroupStoreRequest.newBuilder()
                    .setConvId(GROUP).addMemberUserIds(1).addMemberUserIds(2).addMemberUserIds(3)).build()));

            logic.send(2, GROUP, "m1", "still works");

            for (long user = 1; user <= 3; user++) {
                assertEquals(List.of("1:still works"), view(logic, user));
            }
        }
    }
}

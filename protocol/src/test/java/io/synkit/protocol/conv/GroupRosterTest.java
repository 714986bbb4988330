package io.synkit.protocol.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.internal.GroupRecord;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who is in a group when: stints from changes, the rules of who may change what, records of before stints. */
class GroupRosterTest {

    private static GroupChange change(GroupChangeKind kind, Long... users) {
        return GroupChange.newBuilder().setKind(kind).addAllUserIds(List.of(users)).build();
    }

    @Test
    void recordWrittenBeforeStintsIsEveryMemberSinceCreationWithTheCreatorAdmin() {
        GroupRoster legacy = GroupRoster.of(GroupRecord.newBuilder().addMemberUserIds(1).addMemberUserIds(2).build(), 1);

        assertEquals(List.of(1L, 2L), legacy.membersAt(1));
        assertTrue(legacy.isAdmin(1));
        assertFalse(legacy.isAdmin(2));
        assertEquals(0, legacy.version());
        assertFalse(GroupRoster.of(GroupRecord.getDefaultInstance(), 1).exists());
    }

    @Test
    void entriesGoToTheUsersWhoseStintCoversThem() {
        GroupRoster roster = GroupRoster.created(1, List.of(1L, 2L, 3L), false)
                .changed(1, change(GroupChangeKind.MEMBERS_ADDED, 4L), 5, 10)
                .changed(1, change(GroupChangeKind.MEMBERS_REMOVED, 2L), 8, 10)
                .changed(3, change(GroupChangeKind.MEMBER_LEFT, 3L), 9, 10);

        assertEquals(List.of(1L, 2L, 3L), roster.membersAt(4));
        assertEquals(List.of(1L, 2L, 3L, 4L), roster.membersAt(5), "the added user from the change that added them");
        assertEquals(List.of(1L, 2L, 3L, 4L), roster.membersAt(8), "the removed user up to and including the removal");
        assertEquals(List.of(1L, 3L, 4L), roster.membersAt(9));
        assertEquals(List.of(1L, 4L), roster.membersAt(10));
        assertEquals(List.of(1L, 4L), roster.current());
        assertEquals(9, roster.version());
        assertEquals(5, roster.visibleFrom(4));
        assertEquals(8, roster.visibleTo(2, 20));
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> roster.visibleFrom(7)).code());
    }

    @Test
    void onlyTheAdminAddsAndRemovesAndTheCreatorStays() {
        GroupRoster roster = GroupRoster.created(1, List.of(1L, 2L), false);

        assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> roster.changed(2, change(GroupChangeKind.MEMBERS_ADDED, 3L), 1, 10)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class,
                () -> roster.changed(1, change(GroupChangeKind.MEMBERS_REMOVED, 1L), 1, 10)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> roster.changed(1, change(GroupChangeKind.MEMBER_LEFT, 1L), 1, 10)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> roster.changed(2, change(GroupChangeKind.MEMBER_LEFT, 1L), 1, 10)).code(),
                "a member leaves alone");
        assertEquals(ErrorCode.GROUP_FULL, assertThrows(RpcException.class, () -> roster.changed(1, change(GroupChangeKind.MEMBERS_ADDED, 3L), 1, 2)).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class,
                () -> roster.changed(1, change(GroupChangeKind.MEMBERS_ADDED, 4L, 3L), 1, 10)).code(), "users ascending");
    }

    @Test
    void departedStintsAreKeptUpToTheLimitEarliestDroppedFirst() {
        GroupRoster roster = GroupRoster.created(1, List.of(1L), false);
        long convSeq = 0;
        for (long user = 2; user <= GroupRoster.DEPARTED_KEPT_MAX + 3; user++) {
            roster = roster.changed(1, change(GroupChangeKind.MEMBERS_ADDED, user), ++convSeq, 10)
                    .changed(1, change(GroupChangeKind.MEMBERS_REMOVED, user), ++convSeq, 10);
        }

        assertEquals(GroupRoster.DEPARTED_KEPT_MAX + 1, roster.record().getMembersCount(), "the creator and the departed kept");
        assertFalse(roster.stintOf(2).isPresent(), "the earliest to leave was dropped");
        assertTrue(roster.stintOf(GroupRoster.DEPARTED_KEPT_MAX + 3).isPresent());
    }
}

package io.synkit.logic.group;

import static io.synkit.logic.LogicPaths.answer;
import static io.synkit.logic.LogicPaths.caller;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating a group: membership records in every member's own SET first, then the group record
 * at the group's home SET; idempotent, and completed by a retry after a crash in between.
 */
class GroupPathTest {

    @TempDir
    Path dir;

    private static List<StoreRequest.BodyCase> kinds(List<StoreRequest> requests) {
        return requests.stream().map(StoreRequest::getBodyCase).toList();
    }

    @Test
    void everyMembersRecordIsWrittenToItsOwnSetBeforeTheGroupRecord() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            GroupCreated group = logic.createGroup(1, "team", List.of(3L, 2L, 3L));

            assertEquals("g:1:team", group.getConvId());
            assertEquals(List.of(1L, 2L, 3L), group.getMemberUserIdsList());
            assertTrue(group.getCreated());
            List<StoreRequest> requests = logic.stores.requests();
            assertEquals(List.of(StoreRequest.BodyCase.READ_GROUP, StoreRequest.BodyCase.ADD_MEMBERSHIP, StoreRequest.BodyCase.ADD_MEMBERSHIP,
                    StoreRequest.BodyCase.ADD_MEMBERSHIP, StoreRequest.BodyCase.CREATE_GROUP), kinds(requests));
            assertEquals(List.of(1L, 2L, 3L), requests.subList(1, 4).stream().map(r -> r.getAddMembership().getUserId()).toList());
        }
    }

    @Test
    void creationCutShortBeforeTheGroupRecordIsCompletedByItsRetry() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.stores.failWhen(StoreRequest::hasCreateGroup, ErrorCode.UNAVAILABLE);
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> logic.createGroup(1, "team", List.of(2L))).code());
            logic.stores.heal();
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.send(1, "g:1:team", "m0", "x")).code(),
                    "no group until its record is written");

            assertTrue(logic.createGroup(1, "team", List.of(2L)).getCreated());
            logic.send(2, "g:1:team", "m1", "hello");

            assertEquals(1, logic.inbox(1).size());
            assertEquals(1, logic.inbox(2).size());
        }
    }

    @Test
    void retryWithTheSameMembersAnswersTheExistingGroup() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L, 3L));

            GroupCreated again = logic.createGroup(1, "team", List.of(3L, 2L));

            assertFalse(again.getCreated());
            assertEquals(List.of(1L, 2L, 3L), again.getMemberUserIdsList());
        }
    }

    @Test
    void otherMembersForAnExistingGroupAreRefusedBeforeAnythingIsWritten() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.createGroup(1, "team", List.of(2L));
            int before = logic.stores.requests().size();

            RpcException failure = assertThrows(RpcException.class, () -> logic.createGroup(1, "team", List.of(4L)));

            assertEquals(ErrorCode.INVALID_REQUEST, failure.code());
            assertEquals(List.of(StoreRequest.BodyCase.READ_GROUP), kinds(logic.stores.requests().subList(before, logic.stores.requests().size())));
        }
    }

    @Test
    void badGroupsAreRefusedBeforeAnyStoreCall() {
        try (LogicPaths logic = new LogicPaths(dir, 1)) {
            for (CreateGroupRequest bad : List.of(
                    CreateGroupRequest.newBuilder().setName("Team").addMemberUserIds(2).build(),
                    CreateGroupRequest.newBuilder().setName("team").build(),
                    CreateGroupRequest.newBuilder().setName("team").addMemberUserIds(0).build(),
                    CreateGroupRequest.newBuilder().setName("team").addAllMemberUserIds(LongStream.rangeClosed(2, LogicPaths.GROUP_MEMBERS_MAX + 1)
                            .boxed().toList()).build())) {
                RpcException failure = assertThrows(RpcException.class, () -> answer(() -> logic.groups.create(caller(1), bad)), bad.toString());
                assertEquals(ErrorCode.INVALID_REQUEST, failure.code(), failure.getMessage());
            }
            assertEquals(List.of(), logic.stores.requests());
        }
    }
}

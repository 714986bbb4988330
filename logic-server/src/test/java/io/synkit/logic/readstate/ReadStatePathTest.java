package io.synkit.logic.readstate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.ReadMarked;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read marks are ops in the user's inbox that only move forward; a user's own entries are never
 * unread; the conversation list gives conversations by last activity with the same marks and
 * unread counts a device computes from the ops, as of the sync key it names.
 */
class ReadStatePathTest {

    @TempDir
    Path dir;

    /** What a device that synced the whole inbox computes. */
    private static ReadState folded(LogicPaths logic, long user) {
        ReadState state = new ReadState(user);
        logic.ops(user).forEach(state::apply);
        return state;
    }

    /** The server's list as "conv -> mark/unread". */
    private static Map<String, String> listed(ConversationList list) {
        Map<String, String> view = new TreeMap<>();
        list.getConversationsList().forEach(c -> view.put(c.getConvId(), c.getReadUpToConvSeq() + "/" + c.getUnreadCount()));
        return view;
    }

    private static Map<String, String> computed(ReadState state) {
        Map<String, String> view = new TreeMap<>();
        state.conversations().forEach((conv, c) -> view.put(conv, c.readUpToConvSeq() + "/" + c.unreadCount()));
        return view;
    }

    @Test
    void readMarkIsAnOpOfTheUsersInboxAndOnlyMovesForward() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            for (int i = 1; i <= 3; i++) {
                logic.send(2, "d:1:2", "m" + i, "text " + i);
            }

            ReadMarked marked = logic.markRead(1, "d:1:2", 2);
            ReadMarked again = logic.markRead(1, "d:1:2", 1);

            assertEquals(2, marked.getReadUpToConvSeq());
            assertEquals(1, marked.getUnreadCount(), "entry 3 is still unread");
            Op op = logic.ops(1).get(3);
            assertEquals(marked.getSeq(), op.getSeq());
            assertTrue(op.hasReadMark());
            assertEquals(1, op.getReadMark().getUnreadCount());
            assertEquals("phone-1", op.getReadMark().getDeviceId());
            assertEquals(2, again.getReadUpToConvSeq(), "a mark below the current one changes nothing");
            assertEquals(0, again.getSeq());
            assertEquals(4, logic.ops(1).size(), "and appends nothing");
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.markRead(1, "d:1:2", 4)).code(),
                    "beyond the newest entry in the inbox");
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.markRead(1, "d:1:3", 1)).code(),
                    "a conversation with nothing in the inbox");
        }
    }

    @Test
    void ownEntriesAreNeverUnreadAndMoveTheMark() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.send(2, "d:1:2", "a", "hi");
            logic.send(2, "d:1:2", "b", "there");
            logic.send(1, "d:1:2", "c", "hello");
            logic.send(2, "d:1:2", "d", "how are you");

            assertEquals(Map.of("d:1:2", "3/1"), listed(logic.conversations(1, 0, 0)));
            assertEquals(Map.of("d:1:2", "4/0"), listed(logic.conversations(2, 0, 0)));
        }
    }

    @Test
    void listIsByLastActivityWithTheCountsADeviceComputesAndPagesBackwards() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            logic.send(2, "g:1:team", "g1", "group hello");
            logic.send(3, "d:1:3", "x1", "from 3");
            logic.send(2, "d:1:2", "y1", "from 2");
            logic.send(2, "d:1:2", "y2", "again from 2");
            logic.change(1, "g:1:team", "rm", GroupChangeKind.MEMBERS_REMOVED, List.of(3L));
            logic.send(4, "d:1:4", "z1", "from 4");
            logic.send(1, "d:1:4", "z2", "my reply");
            logic.markRead(1, "d:1:2", 1);

            ConversationList list = logic.conversations(1, 0, 0);

            assertEquals(List.of("d:1:4", "g:1:team", "d:1:2", "d:1:3"), list.getConversationsList().stream().map(ConversationSummary::getConvId).toList());
            assertEquals(computed(folded(logic, 1)), listed(list));
            assertEquals(Map.of("d:1:4", "2/0", "g:1:team", "2/0", "d:1:2", "1/1", "d:1:3", "0/1"), listed(list),
                    "the removal the user made reads the group up to it");
            assertEquals(2, list.getUnreadTotal());
            assertEquals("my reply", list.getConversations(0).getLastEntry().getBody().toStringUtf8());
            assertTrue(list.getConversations(1).getLastEntry().hasGroupChange(), "the group's last entry is the removal");
            assertEquals(logic.ops(1).size(), list.getKey().getPositions(0).getSeq(), "the list is as of the inbox head");
            assertFalse(list.getHasMore());

            ConversationList first = logic.conversations(1, 0, 2);
            ConversationList rest = logic.conversations(1, first.getConversations(1).getLastSeq(), 2);
            assertTrue(first.getHasMore());
            assertEquals(List.of("d:1:2", "d:1:3"), rest.getConversationsList().stream().map(ConversationSummary::getConvId).toList());
            assertEquals(2, rest.getUnreadTotal(), "the total counts every conversation, not the page");
        }
    }

    @Test
    void deviceStartingFromTheListAndSyncingOnAgreesWithADeviceThatSyncedEverything() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            logic.send(2, "d:1:2", "a", "one");
            logic.send(2, "d:1:2", "b", "two");
            logic.send(3, "d:1:3", "c", "three");
            ConversationList list = logic.conversations(1, 0, 0);
            ReadState late = new ReadState(1);
            late.start(list);
            long from = list.getKey().getPositions(0).getSeq();
            logic.send(2, "d:1:2", "d", "four");
            logic.markRead(1, "d:1:2", 3);
            logic.send(3, "d:1:3", "e", "five");
            logic.markRead(1, "d:1:3", 1);

            logic.ops(1).stream().filter(op -> op.getSeq() > from).forEach(late::apply);

            assertEquals(computed(folded(logic, 1)), computed(late));
            assertEquals(Map.of("d:1:2", "3/0", "d:1:3", "1/1"), computed(late));
            assertEquals(computed(late), listed(logic.conversations(1, 0, 0)));
        }
    }
}

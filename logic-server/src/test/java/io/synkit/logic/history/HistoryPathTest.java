package io.synkit.logic.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.HistoryResponse;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History paging: older entries newest first, in pages bounded by the server's limit; only for
 * members, from their join (or from 1 in a group that shows earlier history), up to their removal.
 */
class HistoryPathTest {

    private static final String GROUP = "g:1:team";

    @TempDir
    Path dir;

    private static List<Long> convSeqs(HistoryResponse page) {
        return page.getEntriesList().stream().map(MessageOp::getConvSeq).toList();
    }

    private static void sendMany(LogicPaths logic, long sender, String conv, int count) {
        for (int i = 1; i <= count; i++) {
            logic.send(sender, conv, "m-" + sender + "-" + i, "text " + i);
        }
    }

    @Test
    void pagesGoBackwardsNewestFirstUntilTheFirstEntry() {
        try (LogicPaths logic = new LogicPaths(dir, 2)) {
            sendMany(logic, 1, "d:1:2", 10);

            HistoryResponse newest = logic.history(2, "d:1:2", 0, 4);
            HistoryResponse older = logic.history(2, "d:1:2", 7, 100);
            HistoryResponse oldest = logic.history(2, "d:1:2", 1, 4);

            assertEquals(List.of(10L, 9L, 8L, 7L), convSeqs(newest));
            assertTrue(newest.getHasMore());
            assertEquals(List.of(6L, 5L, 4L, 3L, 2L, 1L), convSeqs(older), "a limit above the server's (6) gets the server's");
            assertFalse(older.getHasMore());
            assertEquals(List.of(), convSeqs(oldest));
            assertEquals(1, newest.getVisibleFromConvSeq());
        }
    }

    @Test
    void memberAddedLaterReadsFromTheirJoinOnlyUnlessTheGroupShowsEarlierHistory() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L));
            LogicPaths.answer(() -> logic.groups.create(LogicPaths.caller(1), CreateGroupRequest.newBuilder().setName("open").addMemberUserIds(2)
                    .setShowEarlierHistory(true).build()));
            for (String conv : List.of(GROUP, "g:1:open")) {
                sendMany(logic, 2, conv, 3);
                logic.change(1, conv, "add-3", GroupChangeKind.MEMBERS_ADDED, List.of(3L));
                logic.send(3, conv, "m-3", "hello");
            }

            HistoryResponse closed = logic.history(3, GROUP, 0, 0);
            HistoryResponse open = logic.history(3, "g:1:open", 0, 0);

            assertEquals(List.of(5L, 4L), convSeqs(closed));
            assertEquals(4, closed.getVisibleFromConvSeq());
            assertFalse(closed.getHasMore());
            assertEquals(List.of(5L, 4L, 3L, 2L, 1L), convSeqs(open));
            assertEquals(1, open.getVisibleFromConvSeq());
            assertEquals(List.of(4L), convSeqs(logic.history(3, GROUP, 5, 0)));
            assertEquals(List.of(), convSeqs(logic.history(3, GROUP, 4, 0)), "nothing before the join, however asked");
            assertTrue(logic.history(3, GROUP, 0, 0).getEntries(1).hasGroupChange(), "the change that added them is their first entry");
        }
    }

    @Test
    void removedMemberReadsUpToTheirRemovalAndOutsidersNothing() {
        try (LogicPaths logic = new LogicPaths(dir, 3)) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            sendMany(logic, 2, GROUP, 2);
            logic.change(1, GROUP, "rm-3", GroupChangeKind.MEMBERS_REMOVED, List.of(3L));
            sendMany(logic, 1, GROUP, 2);

            assertEquals(List.of(3L, 2L, 1L), convSeqs(logic.history(3, GROUP, 0, 0)));
            assertEquals(List.of(5L, 4L, 3L, 2L, 1L), convSeqs(logic.history(2, GROUP, 0, 0)));
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.history(9, GROUP, 0, 0)).code());
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.history(9, "d:1:2", 0, 0)).code());
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.history(1, "g:1:nope", 0, 0)).code());
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.history(1, "x:1", 0, 0)).code());
        }
    }
}

package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.HistoryRequest;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.SynkitClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a chat app needs from sync, through real servers (3 SETs, logic and access over sockets):
 * membership changes every member sees in conv_seq order, removed members receiving nothing after
 * their removal, history from the join, read marks synced to every device of the user with unread
 * counts that agree, and a conversation list a new device draws without fetching every message.
 */
class ChatSemanticsTest {

    private static EmbeddedCluster cluster;
    private static EventLoopGroup loops;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(3, 5000);
        loops = NettyThreads.group("test-chat", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        cluster.close();
    }

    private static SynkitClient client(long user, String device) {
        return TestClients.authenticated(loops.next(), cluster.accessAddress(), user, device, 10_000);
    }

    private static SendRequest text(String conv, String id, String body) {
        return SendRequest.newBuilder().setConvId(conv).setClientMsgId(id).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8(body)).build();
    }

    private static ChangeGroupRequest change(String conv, String id, GroupChangeKind kind, Long... users) {
        return ChangeGroupRequest.newBuilder().setConvId(conv).setClientMsgId(id).setKind(kind).addAllUserIds(List.of(users)).build();
    }

    /** Every op after {@code key}, page by page, each page's digest checked. */
    private static List<Op> syncAll(SynkitClient client, SyncKey key) {
        List<Op> ops = new ArrayList<>();
        SyncResponse page;
        do {
            page = client.sync(key, 3).join();
            assertTrue(RangeDigests.matches(page.getOpsList(), page.getDigest()));
            ops.addAll(page.getOpsList());
            key = page.getNewKey();
        } while (page.getHasMore());
        return ops;
    }

    private static List<String> entries(List<Op> ops, String conv) {
        return ops.stream().filter(op -> op.hasMessage() || op.hasGroupChange()).map(op -> op.hasMessage() ? op.getMessage() : op.getGroupChange())
                .filter(entry -> entry.getConvId().equals(conv)).map(ChatSemanticsTest::describe).toList();
    }

    private static String describe(MessageOp entry) {
        return entry.getConvSeq() + ":" + (entry.hasGroupChange() ? entry.getGroupChange().getKind() + "" + entry.getGroupChange().getUserIdsList()
                : entry.getBody().toStringUtf8());
    }

    private static Map<String, String> counts(ReadState state) {
        Map<String, String> view = new TreeMap<>();
        state.conversations().forEach((conv, c) -> view.put(conv, c.readUpToConvSeq() + "/" + c.unreadCount()));
        return view;
    }

    private static ReadState folded(long user, List<Op> ops) {
        ReadState state = new ReadState(user);
        ops.forEach(state::apply);
        return state;
    }

    @Test
    void membershipChangesAreEntriesEveryMemberSeesInOrderAndRemovedMembersGetNothingAfter() {
        SynkitClient creator = client(401, "phone");
        SynkitClient alice = client(402, "phone");
        SynkitClient bob = client(403, "phone");
        SynkitClient carol = client(404, "phone");
        String group = creator.createGroup(CreateGroupRequest.newBuilder().setName("chat").addMemberUserIds(402).addMemberUserIds(403).build())
                .join().getConvId();

        alice.send(text(group, "a1", "hello")).join();
        assertEquals(2, creator.changeGroup(change(group, "c1", GroupChangeKind.MEMBERS_ADDED, 404L)).join().getConvSeq());
        carol.send(text(group, "k1", "hi all")).join();
        assertEquals(4, creator.changeGroup(change(group, "c2", GroupChangeKind.MEMBERS_REMOVED, 403L)).join().getConvSeq());
        alice.send(text(group, "a2", "bob is gone")).join();
        assertEquals(ErrorCode.FORBIDDEN, TestClients.failureCode(bob.send(text(group, "b1", "wait"))));
        assertEquals(ErrorCode.FORBIDDEN, TestClients.failureCode(alice.changeGroup(change(group, "a3", GroupChangeKind.MEMBERS_ADDED, 405L))),
                "only the creator changes membership");

        List<String> all = List.of("1:hello", "2:MEMBERS_ADDED[404]", "3:hi all", "4:MEMBERS_REMOVED[403]", "5:bob is gone");
        assertEquals(all, entries(syncAll(creator, SyncKey.getDefaultInstance()), group));
        assertEquals(all, entries(syncAll(alice, SyncKey.getDefaultInstance()), group));
        assertEquals(all.subList(0, 4), entries(syncAll(bob, SyncKey.getDefaultInstance()), group), "the removal is bob's last entry");
        assertEquals(all.subList(1, 5), entries(syncAll(carol, SyncKey.getDefaultInstance()), group), "carol's first entry adds her");

        assertEquals(List.of(4L, 3L, 2L, 1L), convSeqs(bob.history(HistoryRequest.newBuilder().setConvId(group).build()).join().getEntriesList()),
                "bob reads history up to his removal");
        assertEquals(List.of(5L, 4L, 3L, 2L), convSeqs(carol.history(HistoryRequest.newBuilder().setConvId(group).build()).join().getEntriesList()),
                "carol from her join");
        SynkitClient outsider = client(499, "phone");
        assertEquals(ErrorCode.FORBIDDEN, TestClients.failureCode(outsider.history(HistoryRequest.newBuilder().setConvId(group).build())));
        List.of(creator, alice, bob, carol, outsider).forEach(SynkitClient::close);
    }

    private static List<Long> convSeqs(List<MessageOp> entries) {
        return entries.stream().map(MessageOp::getConvSeq).toList();
    }

    @Test
    void readMarksReachEveryDeviceAndANewDeviceDrawsTheListThenSyncsOn() {
        SynkitClient phone = client(501, "phone");
        SynkitClient pad = client(501, "pad");
        SynkitClient friend = client(502, "phone");
        SynkitClient other = client(503, "phone");
        for (int i = 1; i <= 3; i++) {
            friend.send(text("d:501:502", "f" + i, "news " + i)).join();
        }
        other.send(text("d:501:503", "o1", "ping")).join();
        phone.send(text("d:501:503", "p1", "pong")).join();
        assertEquals(1, phone.markRead("d:501:502", 2).join().getUnreadCount());

        SynkitClient firstWeb = client(501, "web");
        ConversationList list = firstWeb.conversationList(0, 0).join();
        firstWeb.close();
        friend.send(text("d:501:502", "f4", "news 4")).join();
        assertEquals(0, pad.markRead("d:501:502", 4).join().getUnreadCount());
        other.send(text("d:501:503", "o2", "ping again")).join();

        List<Op> phoneOps = syncAll(phone, SyncKey.getDefaultInstance());
        List<Op> padOps = syncAll(pad, SyncKey.getDefaultInstance());
        SynkitClient web = client(501, "web");
        ReadState webState = new ReadState(501);
        webState.start(list);
        syncAll(web, list.getKey()).forEach(webState::apply);

        Map<String, String> expected = Map.of("d:501:502", "4/0", "d:501:503", "2/1");
        assertEquals(expected, counts(folded(501, phoneOps)));
        assertEquals(expected, counts(folded(501, padOps)), "the mark made on the phone and the one made on the pad reach both");
        assertEquals(expected, counts(webState), "a device that started from the list agrees");
        ConversationList now = web.conversationList(0, 0).join();
        assertEquals(1, now.getUnreadTotal());
        assertEquals(List.of("d:501:503", "d:501:502"), now.getConversationsList().stream().map(c -> c.getConvId()).toList(),
                "by last activity");
        assertEquals(ErrorCode.INVALID_REQUEST, TestClients.failureCode(phone.markRead("d:501:502", 9)));
        List.of(phone, pad, friend, other, web).forEach(SynkitClient::close);
    }
}

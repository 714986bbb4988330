package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.SynkitClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Group conversations end to end: a creator makes a group (idempotently), any member's message
 * reaches every member's inbox with one conv_seq order for all, and outsiders can neither send
 * to it nor see it. Bad names, sizes and unknown groups are refused with their reason.
 */
class GroupConversationTest {

    private static EmbeddedCluster cluster;
    private static EventLoopGroup loops;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(3, 5000);
        loops = NettyThreads.group("test-groups", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        cluster.close();
    }

    @Test
    void everyMemberGetsEveryGroupMessageInOneOrderAndOutsidersNothing() {
        SynkitClient creator = client(201);
        SynkitClient alice = client(202);
        SynkitClient bob = client(203);
        SynkitClient outsider = client(204);

        GroupCreated group = creator.createGroup(CreateGroupRequest.newBuilder().setName("team").addMemberUserIds(202).addMemberUserIds(203)
                .addMemberUserIds(202).build()).join();
        assertEquals("g:201:team", group.getConvId());
        assertEquals(List.of(201L, 202L, 203L), group.getMemberUserIdsList());
        assertTrue(group.getCreated());
        GroupCreated again = creator.createGroup(CreateGroupRequest.newBuilder().setName("team").addMemberUserIds(203).addMemberUserIds(202).build()).join();
        assertFalse(again.getCreated(), "a retry answers the existing group");
        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(creator.createGroup(CreateGroupRequest.newBuilder().setName("team").addMemberUserIds(204).build())));

        SendAck first = alice.send(send(group.getConvId(), "a1", "hello team")).join();
        SendAck second = bob.send(send(group.getConvId(), "b1", "hi alice")).join();
        SendAck third = creator.send(send(group.getConvId(), "c1", "welcome")).join();
        assertEquals(List.of(1L, 2L, 3L), List.of(first.getConvSeq(), second.getConvSeq(), third.getConvSeq()));
        assertEquals(ErrorCode.FORBIDDEN, failureCode(outsider.send(send(group.getConvId(), "o1", "let me in"))));

        for (SynkitClient member : List.of(creator, alice, bob)) {
            SyncResponse page = member.sync(SyncKey.getDefaultInstance(), 100).join();
            List<String> bodies = page.getOpsList().stream().map(Op::getMessage).filter(m -> m.getConvId().equals(group.getConvId()))
                    .map(m -> m.getConvSeq() + ":" + m.getBody().toStringUtf8()).toList();
            assertEquals(List.of("1:hello team", "2:hi alice", "3:welcome"), bodies, "every member, one order");
        }
        assertEquals(0, outsider.sync(SyncKey.getDefaultInstance(), 100).join().getOpsCount(), "an outsider sees nothing");
        List.of(creator, alice, bob, outsider).forEach(SynkitClient::close);
    }

    @Test
    void badGroupsAreRefusedWithTheReason() {
        SynkitClient creator = client(301);
        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(creator.createGroup(CreateGroupRequest.newBuilder().setName("Team!").addMemberUserIds(302).build())));
        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(creator.createGroup(CreateGroupRequest.newBuilder().setName("alone").build())),
                "a group of one");
        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(creator.createGroup(CreateGroupRequest.newBuilder().setName("huge")
                .addAllMemberUserIds(LongStream.rangeClosed(1000, 11_000).boxed().toList()).build())), "more than 10,000 members");
        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(creator.send(send("g:301:nope", "n1", "anyone?"))), "no such group");
        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(creator.send(send("g:301:", "n2", "?"))), "malformed group id");
        creator.close();
    }

    private static SendRequest send(String conv, String clientMsgId, String text) {
        return SendRequest.newBuilder().setConvId(conv).setClientMsgId(clientMsgId).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8(text)).build();
    }



    private static SynkitClient client(long user) {
        return TestClients.authenticated(loops.next(), cluster.accessAddress(), user, "phone", 10_000);
    }

    private static ErrorCode failureCode(CompletableFuture<?> call) {
        return TestClients.failureCode(call);
    }
}

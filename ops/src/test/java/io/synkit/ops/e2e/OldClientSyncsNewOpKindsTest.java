package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.ops.fixture.v1client.AuthRequest;
import io.synkit.ops.fixture.v1client.ClientFrame;
import io.synkit.ops.fixture.v1client.Op;
import io.synkit.ops.fixture.v1client.ServerFrame;
import io.synkit.ops.fixture.v1client.SyncKey;
import io.synkit.ops.fixture.v1client.SyncRequest;
import io.synkit.ops.fixture.v1client.SyncResponse;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.SynkitClient;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forward compatibility: a client built against the client .proto as it was before issue 17 (a
 * frozen copy compiled in test scope, {@code src/test/proto/synkit_client_v1_before_issue17.proto})
 * still syncs when its inbox holds op kinds added since (membership changes, read marks). By the
 * rule of docs/protocol.md §9 it sees them as ops with no kind: it counts them in the digest and
 * the dense seqs, advances its key past them and keeps them raw, and its messages arrive intact.
 */
class OldClientSyncsNewOpKindsTest {

    private static EmbeddedCluster cluster;
    private static EventLoopGroup loops;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(2, 5000);
        loops = NettyThreads.group("test-old-client", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        cluster.close();
    }

    private static SendRequest text(String conv, String id, String body) {
        return SendRequest.newBuilder().setConvId(conv).setClientMsgId(id).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8(body)).build();
    }

    /** A v1 client of before issue 17 on a blocking socket: frames of the frozen .proto only. */
    private static final class OldClient implements AutoCloseable {

        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private long nextRequestId = 1;

        OldClient(long user, String device) throws IOException {
            socket = new Socket(cluster.accessAddress().getAddress(), cluster.accessAddress().getPort());
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
            ServerFrame auth = call(ClientFrame.newBuilder().setAuth(AuthRequest.newBuilder().setToken(TestClients.TOKENS.issue(user, device, 60_000))
                    .setClientVersion("old/1.0")));
            assertTrue(auth.hasAuth(), auth.toString());
        }

        SyncResponse sync(SyncKey key, int limit) throws IOException {
            ServerFrame answer = call(ClientFrame.newBuilder().setSync(SyncRequest.newBuilder().setKey(key).setLimit(limit)));
            assertTrue(answer.hasSync(), answer.toString());
            return answer.getSync();
        }

        /** Sends a request and returns its answer, skipping pushes (notifies) in between. */
        private ServerFrame call(ClientFrame.Builder frame) throws IOException {
            long requestId = nextRequestId++;
            byte[] bytes = frame.setRequestId(requestId).build().toByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            while (true) {
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                ServerFrame answer = ServerFrame.parseFrom(body);
                if (answer.getRequestId() == requestId) {
                    return answer;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void oldClientSkipsNewOpKindsByTheRuleAndKeepsSyncing() throws Exception {
        SynkitClient creator = TestClients.authenticated(loops.next(), cluster.accessAddress(), 601, "phone", 10_000);
        SynkitClient newDevice = TestClients.authenticated(loops.next(), cluster.accessAddress(), 602, "new-phone", 10_000);
        String group = creator.createGroup(CreateGroupRequest.newBuilder().setName("compat").addMemberUserIds(602).build()).join().getConvId();
        creator.send(text(group, "m1", "first")).join();
        creator.changeGroup(ChangeGroupRequest.newBuilder().setConvId(group).setClientMsgId("add").setKind(GroupChangeKind.MEMBERS_ADDED)
                .addUserIds(603).build()).join();
        newDevice.markRead(group, 2).join();
        creator.send(text(group, "m2", "second")).join();

        List<Op> ops = new ArrayList<>();
        SyncKey key = SyncKey.getDefaultInstance();
        try (OldClient old = new OldClient(602, "old-phone")) {
            SyncResponse page;
            do {
                page = old.sync(key, 2);
                long hash = 0;
                long expected = seqOf(key) + 1;
                for (Op op : page.getOpsList()) {
                    assertEquals(expected++, op.getSeq(), "dense seqs, unknown kinds included");
                    hash ^= RangeDigests.splitmix64(op.getSeq());
                    ops.add(op);
                }
                assertEquals(page.getOpsCount(), page.getDigest().getCount());
                assertEquals(hash, page.getDigest().getHash(), "the digest covers the ops the old client cannot read too");
                key = page.getNewKey(); // decoded and re-encoded by the old classes, as such a client would
            } while (page.getHasMore());
            assertEquals(0, old.sync(key, 2).getOpsCount(), "the key it re-encoded is still good");
        }

        assertEquals(List.of(1L, 2L, 3L, 4L), ops.stream().map(Op::getSeq).toList());
        assertEquals(List.of("MESSAGE", "KIND_NOT_SET", "KIND_NOT_SET", "MESSAGE"), ops.stream().map(op -> op.getKindCase().name()).toList());
        assertEquals(List.of("first", "second"), ops.stream().filter(Op::hasMessage).map(op -> op.getMessage().getBody().toStringUtf8()).toList());
        assertEquals(List.of(1L, 3L), ops.stream().filter(Op::hasMessage).map(op -> op.getMessage().getConvSeq()).toList(),
                "conv_seq 2 is the change it cannot read");
        assertFalse(ops.get(1).getUnknownFields().asMap().isEmpty(), "an op of a newer kind is kept raw, not lost");
        assertEquals(4, key.getPositions(0).getSeq());
        creator.close();
        newDevice.close();
    }

    private static long seqOf(SyncKey key) {
        return key.getPositionsCount() == 0 ? 0 : key.getPositions(0).getSeq();
    }
}

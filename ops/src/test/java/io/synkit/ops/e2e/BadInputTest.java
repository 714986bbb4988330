package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.access.link.LinkMetrics;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.StreamPosition;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.SynkitClient;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear error, closes only the offending link, and the server keeps serving. */
class BadInputTest {

    private static EmbeddedCluster cluster;
    private static EventLoopGroup loops;
    private static final TokenCodec TOKENS = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EmbeddedCluster.start(1, 1000);
        loops = NettyThreads.group("test-client", 1);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        cluster.close();
    }

    @Test
    void malformedFrameGetsMalformedErrorAndClose() throws IOException {
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(5);
            out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertFatalError(socket, ErrorCode.MALFORMED_FRAME);
        }
        assertServerStillServes();
    }

    @Test
    void oversizedFrameIsRefusedBeforeItsBodyArrives() throws IOException {
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(1 << 30); // 1 GiB announced, nothing sent: the server must not wait for it
            out.flush();
            assertFatalError(socket, ErrorCode.FRAME_TOO_LARGE);
        }
        assertServerStillServes();
    }

    @Test
    void requestBeforeAuthIsRefusedAndClosed() throws IOException {
        try (Socket socket = connect()) {
            write(socket, ClientFrame.newBuilder().setRequestId(1).setSend(SendRequest.newBuilder()
                    .setConvId("d:1:2").setClientMsgId("x").setContentType(ContentType.CONTENT_TYPE_TEXT)).build());
            assertFatalError(socket, ErrorCode.UNAUTHENTICATED);
        }
        assertServerStillServes();
    }

    @Test
    void forgedExpiredAndUnknownKeyTokensAreRefusedEachWithItsOwnCodeAndCounter() throws IOException {
        String good = TOKENS.issue(7, "phone", 60_000);
        String forged = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        Clock past = new Clock() {
            @Override
            public long nowMs() {
                return System.currentTimeMillis() - 7_200_000;
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
        String expired = new TokenCodec(AuthKeys.dev(), past).issue(7, "phone", 3_600_000);
        String otherKey = new TokenCodec(AuthKeys.parse("other:0123456789abcdef0123456789abcdef", null), Clock.SYSTEM).issue(7, "phone", 60_000);
        Map<String, ErrorCode> expected = new LinkedHashMap<>();
        expected.put(forged, ErrorCode.AUTH_FAILED);
        expected.put(expired, ErrorCode.TOKEN_EXPIRED);
        expected.put(otherKey, ErrorCode.TOKEN_KEY_UNKNOWN);
        expected.put("not-a-token", ErrorCode.AUTH_FAILED);
        Map<ErrorCode, Double> countedBefore = authRefusals();
        for (Map.Entry<String, ErrorCode> token : expected.entrySet()) {
            try (Socket socket = connect()) {
                write(socket, ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setToken(token.getKey())).build());
                assertFatalError(socket, token.getValue());
            }
        }
        Map<ErrorCode, Double> counted = authRefusals();
        assertEquals(2, counted.get(ErrorCode.AUTH_FAILED) - countedBefore.get(ErrorCode.AUTH_FAILED));
        assertEquals(1, counted.get(ErrorCode.TOKEN_EXPIRED) - countedBefore.get(ErrorCode.TOKEN_EXPIRED));
        assertEquals(1, counted.get(ErrorCode.TOKEN_KEY_UNKNOWN) - countedBefore.get(ErrorCode.TOKEN_KEY_UNKNOWN));
        assertServerStillServes();
    }

    /** The access node's synkit_access_auth_refused counters by code. */
    private static Map<ErrorCode, Double> authRefusals() {
        Map<ErrorCode, Double> counts = new LinkedHashMap<>();
        for (ErrorCode code : LinkMetrics.AUTH_REFUSALS) {
            counts.put(code, cluster.access().metrics().counter("synkit_access_auth_refused", "code", code.name()).count());
        }
        return counts;
    }

    @Test
    void staleAndInvalidSyncKeysGetClearErrorsAndTheLinkStaysUsable() {
        SynkitClient client = authenticated(11, "tablet");
        SyncKey otherEpoch = SyncKey.newBuilder().setEpoch(999)
                .addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(1)).build();
        assertEquals(ErrorCode.SYNC_KEY_STALE, failureCode(client.sync(otherEpoch, 10)));
        SyncKey ahead = SyncKey.newBuilder().setEpoch(1)
                .addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(1_000_000)).build();
        assertEquals(ErrorCode.SYNC_KEY_INVALID, failureCode(client.sync(ahead, 10)));
        SyncResponse fresh = client.sync(SyncKey.getDefaultInstance(), 10).join();
        assertEquals(1, fresh.getNewKey().getEpoch(), "an empty key adopts the timeline epoch");
        client.close();
    }

    @Test
    void aLinkEndsWhenItsTokenExpires() throws Exception {
        CompletableFuture<GoAway> goAway = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        SynkitClient client = new SynkitClient(loops.next(), new ClientListener() {
            @Override
            public void onNotify(Notify notify) {
            }

            @Override
            public void onGoAway(GoAway away) {
                goAway.complete(away);
            }

            @Override
            public void onClosed() {
                closed.complete(null);
            }
        }, 5_000);
        client.connect(cluster.accessAddress(), null).join();
        client.auth(TOKENS.issue(41, "phone", 1_500)).join();

        GoAway away = goAway.get(10, TimeUnit.SECONDS);
        assertTrue(away.getReason().contains("token expired"), away.getReason());
        assertEquals(ErrorCode.TOKEN_EXPIRED, away.getCode());
        closed.get(10, TimeUnit.SECONDS);
        assertServerStillServes();
    }

    @Test
    void sendingIntoSomeoneElsesConversationIsForbidden() {
        SynkitClient client = authenticated(21, "phone");
        SendRequest intrusion = SendRequest.newBuilder().setConvId(ConversationId.direct(22, 23).value()).setClientMsgId("m1")
                .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("hi")).build();
        assertEquals(ErrorCode.FORBIDDEN, failureCode(client.send(intrusion)));
        client.close();
    }

    @Test
    void retriedSendIsAcknowledgedOnceWithTheOriginalSeqs() {
        SynkitClient client = authenticated(31, "phone");
        SendRequest send = SendRequest.newBuilder().setConvId(ConversationId.direct(31, 32).value()).setClientMsgId("retry-1")
                .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("once")).build();
        SendAck first = client.send(send).join();
        SendAck retry = client.send(send).join();
        assertEquals(first.getConvSeq(), retry.getConvSeq());
        assertEquals(first.getSeq(), retry.getSeq());
        assertTrue(retry.getDuplicate(), "the retry is marked duplicate");
        assertEquals(1, client.sync(SyncKey.getDefaultInstance(), 10).join().getOpsCount(), "one op in the inbox");
        client.close();
    }

    private static void assertServerStillServes() {
        SynkitClient client = authenticated(99, "probe");
        SendAck ack = client.send(SendRequest.newBuilder().setConvId(ConversationId.direct(99, 98).value())
                .setClientMsgId("probe-" + System.nanoTime()).setContentType(ContentType.CONTENT_TYPE_TEXT).build()).join();
        assertTrue(ack.getConvSeq() > 0);
        client.close();
    }


    private static SynkitClient authenticated(long user, String device) {
        return TestClients.authenticated(loops.next(), cluster.accessAddress(), user, device, 5_000);
    }

    private static ErrorCode failureCode(CompletableFuture<?> call) {
        return TestClients.failureCode(call);
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket(cluster.accessAddress().getAddress(), cluster.accessAddress().getPort());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void write(Socket socket, ClientFrame frame) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        byte[] bytes = frame.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    /** Reads one Error frame with the code and fatal flag, then expects the server to close. */
    private static void assertFatalError(Socket socket, ErrorCode code) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        ServerFrame frame = ServerFrame.parseFrom(body);
        assertEquals(code, frame.getError().getCode(), frame.toString());
        assertTrue(frame.getError().getFatal(), "error is marked fatal");
        assertTrue(!frame.getError().getMessage().isEmpty(), "error says why");
        assertThrows(EOFException.class, in::readInt, "server closed the link");
    }
}

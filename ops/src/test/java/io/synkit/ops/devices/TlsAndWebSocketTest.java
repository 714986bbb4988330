package io.synkit.ops.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.synkit.access.server.AccessServer;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.LinkTransport;
import io.synkit.sim.client.SynkitClient;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client edge's transports through real servers and sockets: TLS 1.3 on the client listener,
 * and a WebSocket listener (over TLS: wss) carrying the same frames; a certificate renewed in its
 * files is served to new links without a restart while links already open keep going.
 */
class TlsAndWebSocketTest {

    private static final TokenCodec TOKENS = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
    private static final long TIMEOUT_MS = 10_000;
    private static Path dir;
    private static Path cert;
    private static Path key;
    private static SslContext trustingFirst;
    private static DeviceCluster cluster;
    private static AccessServer access;
    private static EventLoopGroup loops;
    private static EventLoop loop;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("synkit-tls-");
        cert = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        TestCertificates.write(dir, "first", cert, key, 0);
        trustingFirst = TestCertificates.trusting(cert);
        cluster = DeviceCluster.start();
        access = cluster.accessServer(cluster.startAccess(Map.of("access.tls.cert.file", cert.toString(), "access.tls.key.file", key.toString(),
                "access.ws.port", "0", "access.admin.port", "0")));
        loops = NettyThreads.group("tls-test", 1);
        loop = loops.next();
    }

    @AfterAll
    static void stop() throws Exception {
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (cluster != null) {
            cluster.close();
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    private static SynkitClient client(InetSocketAddress address, LinkTransport transport, long user, String device) {
        SynkitClient client = new SynkitClient(loop, ClientListener.IGNORING, TIMEOUT_MS, transport);
        client.connect(address, null).join();
        client.auth(TOKENS.issue(user, device, 60_000)).join();
        return client;
    }

    /** Sends a message to the other user of {@code conv} and syncs it back from the empty key. */
    private static void sendAndSync(SynkitClient client, String conv, String clientMsgId) {
        SendAck ack = client.send(SendRequest.newBuilder().setConvId(conv).setClientMsgId(clientMsgId).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8("over " + clientMsgId)).build()).join();
        SyncResponse page = client.sync(SyncKey.getDefaultInstance(), 100).join();
        MessageOp last = page.getOps(page.getOpsCount() - 1).getMessage();
        assertEquals(clientMsgId, last.getClientMsgId());
        assertEquals(ack.getSeq(), page.getNewKey().getPositions(0).getSeq());
    }

    @Test
    void aTlsClientSendsAndSyncsAndTheNodesOwnLoginProbeSpeaksTlsToo() {
        SynkitClient client = client(access.clientAddress(), new LinkTransport(trustingFirst, null), 3001, "phone");

        sendAndSync(client, "d:3001:3002", "tls-1");

        assertNull(access.probeReadiness(), "the login probe logs in over TLS");
        client.close();
    }

    @Test
    void aWebSocketClientOverTlsSendsAndSyncsTheSameFrames() {
        SynkitClient client = client(access.webSocketAddress(), new LinkTransport(trustingFirst, "/synkit"), 3003, "web");

        sendAndSync(client, "d:3003:3004", "wss-1");

        client.close();
    }

    @Test
    void aPlainClientOnTheTlsListenerIsClosedAndCounted() throws Exception {
        double failedBefore = access.metrics().counter("synkit_access_tls_failed").count();
        try (Socket plain = new Socket()) {
            plain.connect(access.clientAddress());
            plain.setSoTimeout((int) TIMEOUT_MS);
            ClientFrame auth = ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setToken(TOKENS.issue(3005, "x", 60_000))).build();
            DataOutputStream out = new DataOutputStream(plain.getOutputStream());
            out.writeInt(auth.getSerializedSize());
            auth.writeTo(out);
            out.flush();
            DataInputStream in = new DataInputStream(plain.getInputStream());
            assertThrows(EOFException.class, () -> {
                while (true) {
                    in.readByte(); // a TLS alert at most, then the close
                }
            });
        }
        assertEquals(failedBefore + 1, access.metrics().counter("synkit_access_tls_failed").count());
    }

    @Test
    void aRenewedCertificateIsServedToNewLinksWhileOpenLinksGoOn() throws Exception {
        Path renewedCert = dir.resolve("renewed.crt");
        Path renewedKey = dir.resolve("renewed.key");
        TestCertificates.write(dir, "old", renewedCert, renewedKey, 0);
        SslContext trustingOld = TestCertificates.trusting(renewedCert);
        AccessServer renewing = cluster.accessServer(cluster.startAccess(Map.of("access.tls.cert.file", renewedCert.toString(),
                "access.tls.key.file", renewedKey.toString())));
        SynkitClient before = client(renewing.clientAddress(), new LinkTransport(trustingOld, null), 3007, "phone");
        assertTrue(!renewing.reloadTls(), "unchanged files are not loaded again");
        TestCertificates.write(dir, "new", renewedCert, renewedKey, 10);
        SslContext trustingNew = TestCertificates.trusting(renewedCert);

        assertTrue(renewing.reloadTls(), "the changed files were loaded");

        SynkitClient after = client(renewing.clientAddress(), new LinkTransport(trustingNew, null), 3008, "phone");
        after.heartbeat().join();
        before.heartbeat().join();
        SynkitClient stale = new SynkitClient(loop, ClientListener.IGNORING, TIMEOUT_MS, new LinkTransport(trustingOld, null));
        assertThrows(CompletionException.class, () -> stale.connect(renewing.clientAddress(), null).join(), "the old certificate is not served");
        assertEquals(1, renewing.metrics().counter("synkit_access_tls_reloads", "outcome", "loaded").count());
        before.close();
        after.close();
    }
}

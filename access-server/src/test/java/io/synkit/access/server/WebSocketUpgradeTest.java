package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.access.link.WebSocketMessages;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket client that does not wait for the 101 before its first message (docs/protocol.md
 * §13), on a real node and a real socket: the bytes after the upgrade request, whether they
 * arrive in the same write as the request or cut anywhere, are read as WebSocket messages.
 */
class WebSocketUpgradeTest {

    private static final int READ_TIMEOUT_MS = 10_000;
    private static final String PATH = "/synkit";

    private StubbedAccessNode node;

    @BeforeEach
    void start() throws Exception {
        node = StubbedAccessNode.start(Map.of("access.ws.port", "0"));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
    }

    @Test
    void anAuthInTheSameWriteAsTheUpgradeRequestIsAnswered() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(concat(upgrade(), authMessage(11, "web")));

            ServerFrame answer = readAfterUpgrade(socket);

            assertTrue(answer.hasAuth(), answer.toString());
            assertEquals(11, answer.getAuth().getUserId());
        }
    }

    @Test
    void anAuthCutAcrossTheUpgradeWriteAndTheNextIsAnswered() throws Exception {
        byte[] message = authMessage(12, "web");
        int cut = message.length / 2;
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(concat(upgrade(), Arrays.copyOfRange(message, 0, cut)));
            out.flush();
            out.write(Arrays.copyOfRange(message, cut, message.length));

            ServerFrame answer = readAfterUpgrade(socket);

            assertTrue(answer.hasAuth(), answer.toString());
            assertEquals(12, answer.getAuth().getUserId());
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true); // each write goes out as it is, one segment on loopback
        socket.connect(node.server.webSocketAddress());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private byte[] upgrade() {
        return WebSocketMessages.upgradeRequest("127.0.0.1:" + node.server.webSocketAddress().getPort(), PATH);
    }

    private static byte[] authMessage(long user, String device) {
        ClientFrame auth = ClientFrame.newBuilder().setRequestId(1)
                .setAuth(AuthRequest.newBuilder().setToken(RawClient.TOKENS.issue(user, device, 60_000))).build();
        byte[] body = auth.toByteArray();
        byte[] frame = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
        return WebSocketMessages.binary(frame, 0x1234abcd);
    }

    /** Reads the 101 answer, then one binary message from the server (unmasked) holding one frame. */
    private static ServerFrame readAfterUpgrade(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String head = readHttpHead(in);
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertEquals(0x82, in.readUnsignedByte(), "a final binary message");
        int length = in.readUnsignedByte();
        if (length == 126) {
            length = in.readUnsignedShort();
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        ByteBuffer frame = ByteBuffer.wrap(payload);
        assertEquals(payload.length - 4, frame.getInt(), "one frame per message");
        return ServerFrame.parseFrom(frame);
    }

    private static String readHttpHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            head.write(in.readUnsignedByte());
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}

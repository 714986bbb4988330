package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.synkit.protocol.client.ClientFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzz targets (Jazzer) for the client edge's input: the frame decoder, message
 * decoder and link of a TCP link, and the HTTP upgrade parser, WebSocket frame decoder and
 * binary-message adapter in front of the same link on a WebSocket link. Each input runs on its own
 * {@link LinkHarness}, so a finding replays alone. No exception may escape the pipeline, every
 * input buffer must be released, and once the link closes it may be left neither counted as
 * unauthenticated nor registered as a session; {@link ByteBufLeaks} fails on any other leak
 * once all inputs ran (replay the inputs one by one to find the leaking one).
 *
 * <p>An input's first byte chooses the link's state, its second the size of the chunks its
 * remaining bytes arrive in (1-256), as a socket may cut them anywhere. A normal build replays the
 * inputs under {@code src/test/resources/.../LinkInputJazzerTestInputs/<method>/} (seeds and every
 * finding so far). To fuzz one target for a bounded time (docs/architecture.md, testing):
 * {@code JAZZER_FUZZ=1 mvn -o -q -pl access-server -am test -Dtest=LinkInputJazzerTest#webSocketLink -Dsurefire.failIfNoSpecifiedTests=false};
 * findings are written into that inputs directory, where they stay as regression inputs.
 */
@ExtendWith(ByteBufLeaks.class)
class LinkInputJazzerTest {

    private static final int HEADER_BYTES = 2;
    /** TCP: the link authenticated before the input (else the input is what precedes Auth). */
    private static final int AUTHENTICATED = 1;
    /** WebSocket: a valid upgrade request precedes the input. */
    private static final int UPGRADED = 1;
    /** WebSocket, with {@link #UPGRADED}: the upgrade is processed before the input arrives (the client waited for the 101). */
    private static final int UPGRADE_ANSWERED_FIRST = 2;
    /** WebSocket, with {@link #UPGRADED}: a binary message with a valid Auth precedes the input. */
    private static final int LOGGED_IN = 4;
    private static final String PATH = "/synkit";

    @FuzzTest
    void tcpLink(byte[] input) throws Exception {
        if (input.length < HEADER_BYTES) {
            return;
        }
        try (LinkHarness links = new LinkHarness(LinkHarness.settings(2))) {
            SlowReaderChannel channel = (input[0] & AUTHENTICATED) != 0 ? links.authenticated(7, "fuzz") : links.connect();
            List<ByteBuf> written = writeInChunks(channel, List.of(body(input)), chunkBytes(input));
            closeAndCheck(links, channel, written);
        }
    }

    @FuzzTest
    void webSocketLink(byte[] input) throws Exception {
        if (input.length < HEADER_BYTES) {
            return;
        }
        int flags = input[0];
        try (LinkHarness links = new LinkHarness(LinkHarness.settings(2))) {
            SlowReaderChannel channel = links.connectWebSocket(PATH);
            List<byte[]> parts = new ArrayList<>();
            if ((flags & UPGRADED) != 0) {
                byte[] upgrade = WebSocketMessages.upgradeRequest("access-1", PATH);
                byte[] login = (flags & LOGGED_IN) != 0
                        ? WebSocketMessages.binary(framed(links.auth(7, "fuzz", 60_000)), 0x5a5a5a5a)
                        : new byte[0];
                if ((flags & UPGRADE_ANSWERED_FIRST) != 0) {
                    parts.add(upgrade);
                    parts.add(concat(login, body(input)));
                } else {
                    parts.add(concat(upgrade, concat(login, body(input))));
                }
            } else {
                parts.add(body(input));
            }
            List<ByteBuf> written = writeInChunks(channel, parts, chunkBytes(input));
            closeAndCheck(links, channel, written);
        }
    }

    /** Writes each part in chunks and runs what the link scheduled before the next part. */
    private static List<ByteBuf> writeInChunks(SlowReaderChannel channel, List<byte[]> parts, int chunkBytes) {
        List<ByteBuf> written = new ArrayList<>();
        for (byte[] part : parts) {
            for (int at = 0; at < part.length && channel.isOpen(); at += chunkBytes) {
                ByteBuf chunk = Unpooled.wrappedBuffer(part, at, Math.min(chunkBytes, part.length - at));
                written.add(chunk);
                channel.writeInbound(chunk);
            }
            channel.runPendingTasks();
            channel.releaseOutbound();
        }
        channel.checkException();
        return written;
    }

    private static void closeAndCheck(LinkHarness links, SlowReaderChannel channel, List<ByteBuf> written) {
        channel.close();
        channel.runPendingTasks();
        channel.checkException();
        channel.releaseOutbound();
        for (ByteBuf chunk : written) {
            assertEquals(0, chunk.refCnt(), "an input buffer the pipeline was given is released");
        }
        assertEquals(0, links.unauthenticated.count(), "a closed link is no longer counted as unauthenticated");
        assertEquals(0, links.sessions.size(), "a closed link's session is no longer registered");
    }

    private static int chunkBytes(byte[] input) {
        return 1 + (input[1] & 0xff);
    }

    private static byte[] body(byte[] input) {
        byte[] body = new byte[input.length - HEADER_BYTES];
        System.arraycopy(input, HEADER_BYTES, body, 0, body.length);
        return body;
    }

    private static byte[] framed(ClientFrame frame) {
        ByteBuf buffer = LinkHarness.encode(frame);
        try {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}

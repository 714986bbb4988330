package io.synkit.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.synkit.protocol.client.ErrorCode;
import org.junit.jupiter.api.Test;

/** The frame byte stream in binary WebSocket messages, and nothing else. */
class WebSocketFramesTest {

    @Test
    void binaryMessagesCarryTheBytesBothWays() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrames());

        assertTrue(channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 4, 8, 1, 26, 0}))));
        ByteBuf in = channel.readInbound();
        assertEquals(8, in.readableBytes());
        in.release();
        assertTrue(channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 9})));
        BinaryWebSocketFrame out = channel.readOutbound();
        assertEquals(5, out.content().readableBytes());
        out.release();
        assertFalse(channel.finish());
    }

    @Test
    void aTextMessageIsAMalformedFrame() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrames());

        FrameException refused = assertThrows(FrameException.class, () -> channel.writeInbound(new TextWebSocketFrame("{\"auth\":1}")));

        assertEquals(ErrorCode.MALFORMED_FRAME, refused.code());
        assertFalse(channel.finish());
    }
}

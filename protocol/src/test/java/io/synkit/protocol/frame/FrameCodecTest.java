package io.synkit.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.SendRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The client link's frame codec in an {@link EmbeddedChannel}: FrameDecoder → ProtoDecoder inbound,
 * FrameEncoder outbound. Every buffer a test creates is handed to the channel (which then owns it)
 * or released by the test; {@code refCnt() == 0} checks prove the decoders released what they took.
 */
class FrameCodecTest {

    private static final int FRAME_BYTES_MAX = 256;
    private static final FrameLimits LIMITS = new FrameLimits(FRAME_BYTES_MAX);

    private static EmbeddedChannel clientLink() {
        return new EmbeddedChannel(new FrameDecoder(LIMITS), new ProtoDecoder<>(ClientFrame.parser()), new FrameEncoder(LIMITS));
    }

    private static ClientFrame send(long requestId, String text) {
        return ClientFrame.newBuilder()
                .setRequestId(requestId)
                .setSend(SendRequest.newBuilder()
                        .setConvId("d:1:2")
                        .setClientMsgId("m" + requestId)
                        .setContentType(ContentType.CONTENT_TYPE_TEXT)
                        .setBody(ByteString.copyFromUtf8(text)))
                .build();
    }

    /** The wire bytes of one frame, produced by the real encoder. */
    private static byte[] encode(ClientFrame frame) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(LIMITS));
        assertTrue(encoder.writeOutbound(frame));
        ByteBuf wire = encoder.readOutbound();
        try {
            return ByteBufUtil.getBytes(wire);
        } finally {
            wire.release();
            assertFalse(encoder.finishAndReleaseAll());
        }
    }

    private static byte[] lengthPrefix(long frameBytes) {
        return ByteBuffer.allocate(FrameLimits.LENGTH_PREFIX_BYTES).putInt((int) frameBytes).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void encodedFrameIsBigEndianLengthThenMessageBytes() {
        ClientFrame frame = send(7, "hello");
        byte[] wire = encode(frame);

        byte[] body = frame.toByteArray();
        assertEquals(FrameLimits.LENGTH_PREFIX_BYTES + body.length, wire.length);
        assertEquals(body.length, ByteBuffer.wrap(wire).getInt());
        assertArrayEquals(body, Arrays.copyOfRange(wire, FrameLimits.LENGTH_PREFIX_BYTES, wire.length));
    }

    @Test
    void clientFrameSurvivesEncodeThenDecodeAndEveryBufferIsReleased() {
        EmbeddedChannel channel = clientLink();
        ClientFrame frame = send(42, "round trip");

        assertTrue(channel.writeOutbound(frame));
        ByteBuf wire = channel.readOutbound();
        assertTrue(channel.writeInbound(wire));

        assertEquals(frame, channel.readInbound());
        assertEquals(0, wire.refCnt(), "decoders released the frame buffer they were given");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void frameSplitIntoOneByteWritesDecodesOnlyOnceComplete() {
        EmbeddedChannel channel = clientLink();
        ClientFrame frame = send(3, "byte by byte");
        byte[] wire = encode(frame);

        for (int i = 0; i < wire.length - 1; i++) {
            assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(wire, i, 1)), "no message before byte " + (i + 1) + " of " + wire.length);
        }
        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1)));

        assertEquals(frame, channel.readInbound());
        assertNull(channel.readInbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void twoFramesInOneBufferDecodeAsTwoMessagesInOrder() {
        EmbeddedChannel channel = clientLink();
        ClientFrame first = send(1, "first");
        ClientFrame second = send(2, "second");
        ByteBuf both = Unpooled.wrappedBuffer(concat(encode(first), encode(second)));

        assertTrue(channel.writeInbound(both));

        assertEquals(first, channel.readInbound());
        assertEquals(second, channel.readInbound());
        assertNull(channel.readInbound());
        assertEquals(0, both.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void framesCutAtRandomBoundariesDecodeInOrder() {
        long seed = Long.getLong("synkit.test.seed", System.nanoTime());
        System.out.println("framesCutAtRandomBoundariesDecodeInOrder seed=" + seed + " (replay: -Dsynkit.test.seed=" + seed + ")");
        Random random = new Random(seed);
        EmbeddedChannel channel = clientLink();
        List<ClientFrame> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 1; i <= 50; i++) {
            ClientFrame frame = send(i, "x".repeat(random.nextInt(150)));
            sent.add(frame);
            stream.writeBytes(encode(frame));
        }
        byte[] wire = stream.toByteArray();

        List<ClientFrame> received = new ArrayList<>();
        for (int offset = 0; offset < wire.length; ) {
            int chunk = Math.min(wire.length - offset, 1 + random.nextInt(300));
            channel.writeInbound(Unpooled.wrappedBuffer(wire, offset, chunk));
            offset += chunk;
            for (ClientFrame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
                received.add(frame);
            }
        }

        assertEquals(sent, received, "seed=" + seed);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void frameOfExactlyTheLimitIsAccepted() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(LIMITS));
        byte[] body = new byte[FRAME_BYTES_MAX];
        Arrays.fill(body, (byte) 7);

        assertTrue(channel.writeInbound(Unpooled.wrappedBuffer(concat(lengthPrefix(FRAME_BYTES_MAX), body))));

        ByteBuf frame = channel.readInbound();
        try {
            assertArrayEquals(body, ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void lengthAboveLimitFailsOnThePrefixAloneAndLaterInputIsIgnored() {
        EmbeddedChannel channel = clientLink();
        ByteBuf prefixOnly = Unpooled.wrappedBuffer(lengthPrefix(FRAME_BYTES_MAX + 1));

        FrameException failure = assertThrows(FrameException.class, () -> channel.writeInbound(prefixOnly));

        assertEquals(ErrorCode.FRAME_TOO_LARGE, failure.code());
        assertTrue(failure.getMessage().contains(String.valueOf(FRAME_BYTES_MAX + 1)), failure.getMessage());
        assertEquals(0, prefixOnly.refCnt(), "nothing of the oversized frame is buffered");

        ByteBuf validAfterwards = Unpooled.wrappedBuffer(encode(send(9, "too late")));
        assertFalse(channel.writeInbound(validAfterwards));
        assertNull(channel.readInbound());
        assertEquals(0, validAfterwards.refCnt(), "ignored input is dropped, not accumulated");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void lengthWithTopBitSetIsTooLargeNotNegative() {
        EmbeddedChannel channel = clientLink();

        FrameException failure = assertThrows(FrameException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})));

        assertEquals(ErrorCode.FRAME_TOO_LARGE, failure.code());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void zeroLengthFrameIsMalformed() {
        EmbeddedChannel channel = clientLink();

        FrameException failure = assertThrows(FrameException.class, () -> channel.writeInbound(Unpooled.wrappedBuffer(lengthPrefix(0))));

        assertEquals(ErrorCode.MALFORMED_FRAME, failure.code());
        assertNull(channel.readInbound());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bodyThatIsNotProtobufIsMalformedAndReleased() {
        EmbeddedChannel channel = clientLink();
        // Tag 0x0f: field 1 with wire type 7, which does not exist.
        byte[] garbage = {0x0f, 0x01, 0x02};
        ByteBuf wire = Unpooled.wrappedBuffer(concat(lengthPrefix(garbage.length), garbage));

        FrameException failure = assertThrows(FrameException.class, () -> channel.writeInbound(wire));

        assertEquals(ErrorCode.MALFORMED_FRAME, failure.code());
        assertNull(channel.readInbound());
        assertEquals(0, wire.refCnt(), "the malformed frame was released");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void encoderRefusesMessageAboveTheLimitAndWritesNothing() {
        EmbeddedChannel channel = clientLink();
        ClientFrame tooBig = send(5, "y".repeat(FRAME_BYTES_MAX));
        assertTrue(tooBig.getSerializedSize() > FRAME_BYTES_MAX);

        EncoderException failure = assertThrows(EncoderException.class, () -> channel.writeOutbound(tooBig));

        assertTrue(failure.getMessage().contains("frameBytesMax=" + FRAME_BYTES_MAX), failure.getMessage());
        assertNull(channel.readOutbound());
        assertFalse(channel.finishAndReleaseAll());
    }
}

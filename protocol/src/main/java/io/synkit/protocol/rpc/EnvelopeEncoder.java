package io.synkit.protocol.rpc;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import io.synkit.protocol.frame.FrameLimits;
import java.io.IOException;

/**
 * Writes an {@link OutboundEnvelope} as one frame, as {@code FrameEncoder} writes any message: the
 * 4-byte big-endian length, then the envelope with its payload serialized in place. Refuses an
 * envelope larger than the frame limit. Stateless, so one instance may be shared by all channels.
 */
@ChannelHandler.Sharable
final class EnvelopeEncoder extends MessageToByteEncoder<OutboundEnvelope> {

    private final int frameBytesMax;

    EnvelopeEncoder(FrameLimits limits) {
        super(OutboundEnvelope.class);
        this.frameBytesMax = limits.frameBytesMax();
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, OutboundEnvelope envelope, boolean preferDirect) {
        return ctx.alloc().ioBuffer(FrameLimits.LENGTH_PREFIX_BYTES + envelope.serializedBytes());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, OutboundEnvelope envelope, ByteBuf out) throws IOException {
        int frameBytes = envelope.serializedBytes();
        if (frameBytes > frameBytesMax) {
            throw new EncoderException("outbound frame of " + frameBytes + " bytes exceeds frameBytesMax=" + frameBytesMax);
        }
        out.writeInt(frameBytes);
        out.ensureWritable(frameBytes);
        CodedOutputStream coded = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(), frameBytes));
        envelope.writeTo(coded);
        coded.flush();
        out.writerIndex(out.writerIndex() + frameBytes);
    }
}

package io.synkit.protocol.frame;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;

/**
 * Writes one protobuf message as one frame: 4-byte big-endian length, then the message bytes.
 * Refuses (fails the write) a message larger than the frame limit, so we never send a frame the
 * peer must reject. Stateless, so one instance may be shared by all channels.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<MessageLite> {

    private final int frameBytesMax;

    public FrameEncoder(FrameLimits limits) {
        super(MessageLite.class);
        this.frameBytesMax = limits.frameBytesMax();
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MessageLite msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer(FrameLimits.LENGTH_PREFIX_BYTES + msg.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MessageLite msg, ByteBuf out) throws IOException {
        int frameBytes = msg.getSerializedSize();
        if (frameBytes > frameBytesMax) {
            throw new EncoderException("outbound frame of " + frameBytes + " bytes exceeds frameBytesMax=" + frameBytesMax);
        }
        out.writeInt(frameBytes);
        out.ensureWritable(frameBytes);
        // Serialized straight into the buffer's memory: no stream and no intermediate buffer per message.
        CodedOutputStream coded = CodedOutputStream.newInstance(out.nioBuffer(out.writerIndex(), frameBytes));
        msg.writeTo(coded);
        coded.flush();
        out.writerIndex(out.writerIndex() + frameBytes);
    }
}

package io.synkit.protocol.frame;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.synkit.protocol.client.ErrorCode;
import java.util.List;

/**
 * Parses each frame (from {@link FrameDecoder}) into a protobuf message. A frame that is not a
 * valid message throws {@link FrameException} with {@link ErrorCode#MALFORMED_FRAME}.
 *
 * <p>Buffers: the inbound frame is released by {@link MessageToMessageDecoder} after decoding.
 */
public final class ProtoDecoder<T extends MessageLite> extends MessageToMessageDecoder<ByteBuf> {

    private final Parser<T> parser;

    public ProtoDecoder(Parser<T> parser) {
        super(ByteBuf.class);
        this.parser = parser;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        try {
            // Straight from the frame's memory: no stream and no intermediate buffer per message.
            // Without aliasing, bytes fields are copied out, so the frame may be released after.
            out.add(parser.parseFrom(CodedInputStream.newInstance(frame.nioBuffer())));
        } catch (InvalidProtocolBufferException e) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "frame is not a valid protobuf message: " + e.getMessage(), e);
        }
    }
}

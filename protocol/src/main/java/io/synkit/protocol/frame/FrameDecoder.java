package io.synkit.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.synkit.protocol.client.ErrorCode;
import java.util.List;

/**
 * Splits the inbound byte stream into frames: a 4-byte big-endian length, then that many bytes.
 *
 * <p>Only frames; it does not parse protobuf. It fails fast: a length above
 * {@link FrameLimits#frameBytesMax()} (or zero, or negative as unsigned overflow) throws a
 * {@link FrameException} as soon as the prefix is read, before any body byte is buffered, and the
 * decoder then ignores all further input so a hostile peer cannot make it buffer more.
 *
 * <p>Buffers: each emitted frame is a retained slice of the cumulation; the next handler owns it
 * and must release it.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final int frameBytesMax;
    private boolean failed;

    public FrameDecoder(FrameLimits limits) {
        this.frameBytesMax = limits.frameBytesMax();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= FrameLimits.LENGTH_PREFIX_BYTES) {
            long frameBytes = in.getUnsignedInt(in.readerIndex());
            if (frameBytes > frameBytesMax) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new FrameException(ErrorCode.FRAME_TOO_LARGE,
                        "frame length " + frameBytes + " bytes exceeds frameBytesMax=" + frameBytesMax);
            }
            if (frameBytes == 0) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new FrameException(ErrorCode.MALFORMED_FRAME, "frame length 0: an empty frame is not a message");
            }
            if (in.readableBytes() < FrameLimits.LENGTH_PREFIX_BYTES + frameBytes) {
                return;
            }
            in.skipBytes(FrameLimits.LENGTH_PREFIX_BYTES);
            out.add(in.readRetainedSlice((int) frameBytes));
        }
    }
}

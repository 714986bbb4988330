package io.synkit.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.synkit.protocol.client.ErrorCode;
import java.util.List;

/**
 * The protocol's byte stream over WebSocket: binary messages carry the same length-prefixed
 * frames as TCP (docs/protocol.md §2), so {@link FrameDecoder} and {@link FrameEncoder} run
 * unchanged behind this. Inbound, the payload of each binary (or continuation) message goes on as
 * bytes, whatever frame boundaries it has; a text message is a MALFORMED_FRAME. Outbound, each
 * encoded frame goes out as one binary message. Ping, pong and close are answered by Netty's
 * WebSocket protocol handler before this one. The payloads are passed on retained: the next
 * handler releases them. One instance serves every channel.
 */
@Sharable
public final class WebSocketFrames extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(new BinaryWebSocketFrame(frame.retain()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame message, List<Object> out) {
        if (!(message instanceof BinaryWebSocketFrame || message instanceof ContinuationWebSocketFrame)) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "only binary WebSocket messages carry frames, got " + message.getClass().getSimpleName());
        }
        out.add(message.content().retain());
    }
}

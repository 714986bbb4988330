package io.synkit.access.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.WebSocketFrames;

/**
 * The pipeline of a WebSocket link (for web clients): the same link as over TCP
 * ({@link LinkPipeline}), its frames carried in binary WebSocket messages:
 *
 * <pre>
 * "tls"      SslHandler                       only with access.tls.* files (wss://)
 * "http"     HttpServerCodec                  the upgrade request (lines 4 KiB, headers 8 KiB at most)
 * "after"    hands bytes the client sent behind the request to the WebSocket decoder
 * "upgrade"  HttpObjectAggregator             a bodyless request, 4 KiB at most
 * "ws"       WebSocketServerProtocolHandler   handshake at the configured path, ping/pong/close
 * "other"    refuses any other HTTP request with 404
 * "frames"   WebSocketFrames                  binary messages to and from the frame byte stream
 * then the link's own handlers, as over TCP
 * </pre>
 *
 * <p>A client may send its first message in the same packet as the upgrade request, without waiting
 * for the 101. Netty's handshake adds its WebSocket decoder in front of the HTTP codec and removes
 * the codec once the 101 is written; the codec then passes the bytes it read behind the request
 * to the handler after it, which would give them to the link as raw frame bytes (a fatal
 * FRAME_TOO_LARGE for the first message). "after" sends them back through the WebSocket decoder.
 *
 * <p>A message may carry at most one largest frame (the frame limit plus its length prefix). The
 * handshake must complete within the auth timeout, which runs from connect as over TCP.
 */
public final class WebSocketLinkPipeline extends ChannelInitializer<Channel> {

    private static final int HTTP_LINE_BYTES_MAX = 4096;
    private static final int HTTP_HEADER_BYTES_MAX = 8192;
    private static final int HTTP_BODY_BYTES_MAX = 4096;

    private final LinkPipeline link;
    private final WebSocketServerProtocolConfig protocol;
    private final WebSocketFrames frames = new WebSocketFrames();
    private final NotWebSocket other = new NotWebSocket();
    private final BytesAfterUpgrade after = new BytesAfterUpgrade();

    public WebSocketLinkPipeline(LinkPipeline link, String path) {
        this.link = link;
        LinkSettings settings = link.services().settings();
        this.protocol = WebSocketServerProtocolConfig.newBuilder().websocketPath(path).checkStartsWith(false).allowExtensions(false)
                .maxFramePayloadLength(settings.frameBytesMax() + FrameLimits.LENGTH_PREFIX_BYTES)
                .handshakeTimeoutMillis(settings.authTimeoutMs()).build();
    }

    @Override
    protected void initChannel(Channel channel) {
        link.addTls(channel);
        channel.pipeline()
                .addLast("http", new HttpServerCodec(HTTP_LINE_BYTES_MAX, HTTP_HEADER_BYTES_MAX, HTTP_BODY_BYTES_MAX))
                .addLast("after", after)
                .addLast("upgrade", new HttpObjectAggregator(HTTP_BODY_BYTES_MAX))
                .addLast("ws", new WebSocketServerProtocolHandler(protocol))
                .addLast("other", other)
                .addLast("frames", frames);
        link.addLink(channel.pipeline());
    }

    /** An HTTP request that is not the WebSocket upgrade at the path: 404, then closed. */
    @Sharable
    private static final class NotWebSocket extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Bytes reach this handler only from the HTTP codec as the handshake removes it: what the
     * client sent behind the upgrade request. They go to the WebSocket decoder the handshake put in
     * front of the codec, before any later read does, so the byte stream stays in order. Who
     * releases: the decoder, as any buffer it reads.
     */
    @Sharable
    private static final class BytesAfterUpgrade extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (!(msg instanceof ByteBuf)) {
                ctx.fireChannelRead(msg);
                return;
            }
            ChannelHandlerContext decoder = ctx.pipeline().context(WebSocketFrameDecoder.class);
            if (decoder == null) {
                ((ByteBuf) msg).release();
                throw new IllegalStateException("bytes behind the HTTP codec without a WebSocket decoder: the codec left before a handshake");
            }
            ((ChannelInboundHandler) decoder.handler()).channelRead(decoder, msg);
        }
    }
}

package io.synkit.access.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.synkit.protocol.frame.FrameEncoder;

/**
 * The plain-TCP client listener's first look at a link it accepted, on the accept thread: while
 * the node already has {@code access.links.unauthenticated.max} links waiting to authenticate, the
 * link is refused right there (the same UNAVAILABLE frame and retry-after as {@link ClientLink}
 * sends) and never reaches an event loop. In a reconnect storm most links are refused this way;
 * each refusal on a link's loop cost a pipeline, a registration, a write and a close in the same
 * turns as the admitted links' Auths, which waited behind them (measured: an Auth's wait for the
 * node's loops, {@code synkit_access_auth_wait}, p99 0.8-1.4 s). A link let through is still
 * counted in by {@link ClientLink} when it opens, which refuses it there if the count filled
 * meanwhile. Listeners with TLS or WebSocket framing have no gate: their refusal needs the
 * handshake first, so it stays on the link's loop.
 */
@ChannelHandler.Sharable
final class AcceptGate extends ChannelInboundHandlerAdapter {

    private final LinkServices services;
    private final FrameEncoder encoder;

    AcceptGate(LinkServices services, FrameEncoder encoder) {
        this.services = services;
        this.encoder = encoder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel link = (Channel) msg;
        UnauthenticatedLinks unauthenticated = services.unauthenticated();
        if (unauthenticated.count() < unauthenticated.max()) {
            ctx.fireChannelRead(link);
            return;
        }
        services.metrics().refusedUnauthenticatedMax();
        link.pipeline().addLast(encoder);
        ctx.channel().eventLoop().register(link).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                link.writeAndFlush(Frames.unauthenticatedMax(unauthenticated.max(), services.settings().refusedRetryAfterJitteredMs()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                link.unsafe().closeForcibly();
            }
        });
    }
}

package io.synkit.access.link;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Policy for Netty's {@code IdleStateHandler}, which only detects: a link that sent nothing for
 * the idle timeout (no heartbeat: the phone went away, or a NAT dropped the mapping) is told to
 * go away and closed, so its socket and route do not linger.
 */
public final class IdleEvictor extends ChannelDuplexHandler {

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.writeAndFlush(Frames.goAway("idle: no heartbeat within the idle timeout", 0)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }
}

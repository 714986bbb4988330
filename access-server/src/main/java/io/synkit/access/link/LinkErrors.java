package io.synkit.access.link;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.synkit.protocol.frame.FrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler: a bad frame (malformed, oversized) gets an Error frame with its code and the
 * link is closed; any other failure closes the link. Either way, only this link is affected.
 */
@io.netty.channel.ChannelHandler.Sharable
public final class LinkErrors extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(LinkErrors.class);

    private final MeterRegistry metrics;

    public LinkErrors(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof FrameException frame) {
            metrics.counter("synkit_access_bad_frames", "code", frame.code().name()).increment();
            log.info("bad frame peer={} code={} reason=\"{}\"", ctx.channel().remoteAddress(), frame.code(), frame.getMessage());
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(Frames.error(0, frame.code(), frame.getMessage(), true)).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        log.debug("link failed peer={} reason=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}

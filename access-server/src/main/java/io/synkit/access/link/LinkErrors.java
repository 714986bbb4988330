package io.synkit.access.link;

import io.synkit.access.health.Halt;
import io.synkit.access.limit.RateLimiter;
import io.synkit.protocol.frame.FrameException;
import java.net.InetAddress;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failure on a link does. An error of the JVM itself ({@link OutOfMemoryError} and other
 * {@link VirtualMachineError}s, as the cause or the failure) halts the process: after it no thread
 * of the node can be trusted, and a node that stays up answers nothing while it looks alive. A bad
 * frame (malformed, oversized) gets an Error frame with its code and the link is closed; any other
 * failure closes the link. Either way only this link is affected. Shared by every link.
 */
final class LinkErrors {

    private static final Logger log = LoggerFactory.getLogger(LinkErrors.class);

    private final LinkMetrics metrics;
    private final Halt halt;
    private final RateLimiter<InetAddress> addressLimits;

    LinkErrors(LinkMetrics metrics, Halt halt, RateLimiter<InetAddress> addressLimits) {
        this.metrics = metrics;
        this.halt = halt;
        this.addressLimits = addressLimits;
    }

    void caught(ClientLink link, Throwable cause) {
        halt.ifFatal(cause);
        if (cause instanceof FrameException frame) {
            metrics.badFrame(frame.code());
            if (link.address() != null) {
                addressLimits.strike(link.address());
            }
            log.info("bad frame peer={} code={} reason=\"{}\"", link.context().channel().remoteAddress(), frame.code(), frame.getMessage());
            link.closeWith(Frames.error(0, frame.code(), frame.getMessage(), true));
            return;
        }
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            // Counted where the handshake's failure is told (ClientLink.userEventTriggered), before the close.
            log.debug("tls failed peer={} reason=\"{}\"", link.context().channel().remoteAddress(), cause.toString());
            link.context().close();
            return;
        }
        log.debug("link failed link={} reason=\"{}\"", link, cause.toString());
        link.context().close();
    }
}

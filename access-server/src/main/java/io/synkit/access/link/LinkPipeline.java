package io.synkit.access.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.synkit.access.tls.TlsFiles;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;

/**
 * The client link's pipeline, and what its links share. Each link gets:
 *
 * <pre>
 * "tls"    SslHandler     only with access.tls.* files: TLS 1.3 (see TlsFiles)
 * "frame"  FrameDecoder   frames the byte stream; fails fast on a frame over the limit
 * "decode" ProtoDecoder   parses each frame into a ClientFrame
 * "encode" FrameEncoder   one instance for all links
 * "link"   ClientLink     the link's state; hands each frame to its phase's policy
 * </pre>
 *
 * <p>{@link WebSocketLinkPipeline} puts the WebSocket handshake and framing between "tls" and "frame";
 * the rest is the same.
 *
 * <p>Until the link authenticates, "frame" accepts frames up to {@link LinkSettings#authFrameBytesMax()}
 * (an Auth fits, a message does not); {@link #raiseFrameLimit} then puts a decoder with the full
 * limit in its place.
 *
 * <p>Why the policies (auth, routing, errors, deadlines) are shared objects that {@link ClientLink}
 * calls rather than a handler each: every handler costs every link a context of about 56 bytes,
 * and an idle link must cost at most 2 KiB, of which Netty and the JDK's socket take ~1.5 KiB.
 */
public final class LinkPipeline extends ChannelInitializer<Channel> {

    static final String TLS = "tls";
    static final String FRAME = "frame";
    static final String FRAME_AUTHENTICATED = "frame-authenticated";
    static final String DECODE = "decode";
    static final String ENCODE = "encode";
    static final String LINK = "link";

    private final LinkServices services;
    private final FrameLimits authLimits;
    private final FrameLimits limits;
    private final FrameEncoder encoder;
    private final Authenticator authenticator;
    private final RequestRouter router;
    private final LinkErrors errors;
    private final TlsFiles tls;

    /** @param tls the certificate of the client listeners; null: plain TCP */
    public LinkPipeline(LinkServices services, TlsFiles tls) {
        this.services = services;
        this.tls = tls;
        this.authLimits = new FrameLimits(services.settings().authFrameBytesMax());
        this.limits = new FrameLimits(services.settings().frameBytesMax());
        this.encoder = new FrameEncoder(limits);
        this.authenticator = new Authenticator(services);
        this.router = new RequestRouter(services);
        this.errors = new LinkErrors(services.metrics(), services.halt(), services.addressLimits());
    }

    /** For a plain-TCP client listener's own pipeline: links beyond the unauthenticated cap are refused on the accept thread ({@link AcceptGate}). */
    public ChannelHandler acceptGate() {
        return new AcceptGate(services, encoder);
    }

    @Override
    protected void initChannel(Channel channel) {
        addTls(channel);
        addLink(channel.pipeline());
    }

    void addTls(Channel channel) {
        if (tls != null) {
            channel.pipeline().addLast(TLS, tls.newHandler(channel.alloc()));
        }
    }

    /** The link's own handlers, after whatever carries its bytes (TCP, TLS, WebSocket). */
    void addLink(ChannelPipeline pipeline) {
        pipeline
                .addLast(FRAME, new FrameDecoder(authLimits))
                .addLast(DECODE, new ProtoDecoder<>(ClientFrame.parser()))
                .addLast(ENCODE, encoder)
                .addLast(LINK, new ClientLink(this));
    }

    /**
     * The link authenticated: frames up to the full limit from now on. The new decoder goes in
     * after the old one, so the bytes the old one still holds (a frame begun early) flow into it
     * when the old one is removed.
     */
    void raiseFrameLimit(ChannelPipeline pipeline) {
        pipeline.addAfter(FRAME, FRAME_AUTHENTICATED, new FrameDecoder(limits));
        pipeline.remove(FRAME);
    }

    LinkServices services() {
        return services;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    RequestRouter router() {
        return router;
    }

    LinkErrors errors() {
        return errors;
    }
}

package io.synkit.access.link;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * An embedded channel whose peer can stop reading: while it does, flushed frames stay in the
 * channel's outbound buffer, as they do on a socket whose receiver reads nothing, so watermarks
 * and writability behave as on a real link. Created unregistered: add handlers, then register.
 */
public final class SlowReaderChannel extends EmbeddedChannel {

    private boolean peerReads = true;
    private int framesToRead;

    public SlowReaderChannel() {
        super(false, false);
    }

    /** The peer starts or stops reading; when it starts, everything queued is delivered. */
    public void peerReads(boolean reads) {
        peerReads = reads;
        if (reads) {
            flush();
        }
    }

    /** The peer, not reading, reads {@code frames} of what is queued for it (a slow reader's progress). */
    public void peerReadsFrames(int frames) {
        framesToRead = frames;
        flush();
        framesToRead = 0;
    }

    /** Bytes queued for the peer (as Netty counts them for the watermarks). */
    public long queuedBytes() {
        ChannelOutboundBuffer queue = unsafe().outboundBuffer();
        return queue == null ? 0 : queue.totalPendingWriteBytes();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (peerReads) {
            super.doWrite(in);
            return;
        }
        // As EmbeddedChannel.doWrite, for as many frames as the peer reads now.
        for (; framesToRead > 0 && in.current() != null; framesToRead--) {
            Object frame = in.current();
            ReferenceCountUtil.retain(frame);
            handleOutboundMessage(frame);
            in.remove();
        }
    }
}

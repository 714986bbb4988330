package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.SyncRequest;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.internal.LogicResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A1: a client that does not read costs the node bounded memory. The harness's links have
 * watermarks of 1 KiB / 4 KiB and an outbound limit of 72 KiB; its peer stops reading on demand.
 */
@ExtendWith(ByteBufLeaks.class)
class BackpressureTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void heartbeatsFromAClientThatNeverReadsCannotGrowItsQueueBeyondTheOutboundLimit() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        int sent = 0;
        while (channel.isActive() && sent < 30_000) {
            links.send(channel, links.heartbeat());
            sent++;
            assertTrue(channel.queuedBytes() <= links.settings.outboundBytesMax(),
                    "queued " + channel.queuedBytes() + " bytes after " + sent + " heartbeats");
        }
        assertFalse(channel.isActive(), "the link is cut once a reply no longer fits (" + sent + " heartbeats sent)");
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "outbound_bytes_max"));
        assertEquals(0, links.sessions.size());
    }

    @Test
    void aLinkAboveTheHighWatermarkStopsReadingUntilItDrainsBelowTheLowMark() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        fillAboveHighWatermark(channel);
        assertFalse(channel.config().isAutoRead(), "above the high mark the node reads no more from the link");
        assertEquals(1, links.count("synkit_access_link_reads_paused"));

        channel.peerReads(true);
        assertTrue(channel.isWritable());
        assertTrue(channel.config().isAutoRead(), "drained below the low mark, it reads again");
        assertFalse(links.received(channel).isEmpty());
    }

    @Test
    void aNotifyToALinkAboveTheHighWatermarkIsDroppedAndItsSeqReachesTheNextHeartbeat() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        fillAboveHighWatermark(channel);
        long queued = channel.queuedBytes();

        links.sessions.get(1, "phone").push(Notify.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(9).build());
        channel.runPendingTasks();
        assertEquals(queued, channel.queuedBytes(), "nothing queued for the notify");
        assertEquals(1, links.count("synkit_access_notify_skipped_unwritable"));

        channel.peerReads(true);
        assertTrue(links.received(channel).stream().noneMatch(ServerFrame::hasNotify));
        links.send(channel, links.heartbeat());
        assertEquals(9, links.onlyReceived(channel).getHeartbeat().getLatestInboxSeq(), "the heartbeat reply repairs the dropped notify");
    }

    @Test
    void aNotifyToALinkThatKeepsUpIsPushed() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.sessions.get(1, "phone").push(Notify.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(3).build());
        ServerFrame pushed = links.onlyReceived(channel);
        assertEquals(0, pushed.getRequestId());
        assertEquals(3, pushed.getNotify().getSeq());
        assertEquals(1, links.count("synkit_access_notify_pushed"));
    }

    @Test
    void aLinkAboveTheHighWatermarkThatDrainsNothingIsCut() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        fillAboveHighWatermark(channel);
        links.advanceAndSweep(29_999);
        assertTrue(channel.isActive());
        links.advanceAndSweep(1);
        assertFalse(channel.isActive(), "above the high mark, nothing drained for the unwritable timeout: cut");
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "slow_reader"));
    }

    @Test
    void aLinkThatDrainsSlowlyIsNeitherCutNorIdle() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        fillAboveHighWatermark(channel);
        for (int sweep = 0; sweep < 12; sweep++) {
            links.advanceAndSweep(20_000);
            channel.peerReadsFrames(1);
            assertFalse(channel.isWritable(), "still above the low mark after " + (sweep + 1) + " frames read");
        }
        assertTrue(channel.isActive(), "240 s above the high mark, but draining: a slow phone, not a dead one");
        channel.peerReads(true);
        links.advanceAndSweep(89_999);
        assertTrue(channel.isActive(), "the idle timeout counts from when the node reads the link again");
        assertEquals(0, links.count("synkit_access_links_closed", "reason", "slow_reader"));
        assertEquals(0, links.count("synkit_access_links_closed", "reason", "idle"));
        links.received(channel);
    }

    @Test
    void aLinkThatDrainsInTimeIsNotCut() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        fillAboveHighWatermark(channel);
        links.advanceAndSweep(20_000);
        channel.peerReads(true);
        links.received(channel);
        links.advanceAndSweep(20_000);
        assertTrue(channel.isActive());
        assertEquals(0, links.count("synkit_access_links_closed", "reason", "slow_reader"));
    }

    @Test
    void aReplyThatWouldPassTheOutboundLimitIsDroppedAndTheLinkCut() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.peerReads(false);
        links.send(channel, sync());
        links.send(channel, sync());
        FakeLogic.Call first = links.logic.takePending();
        FakeLogic.Call second = links.logic.takePending();

        first.answer().complete(syncAnswer(60 * 1024));
        long queued = channel.queuedBytes();
        assertTrue(queued > 60 * 1024, "the first answer fits and is queued: " + queued);
        second.answer().complete(syncAnswer(20 * 1024));
        channel.runPendingTasks();
        assertFalse(channel.isActive(), "60 KiB queued + 20 KiB > 72 KiB: the answer is dropped and the link cut");
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "outbound_bytes_max"));
    }

    /** Heartbeat replies (about 100 bytes each as Netty counts them) until the link is above its high watermark. */
    private void fillAboveHighWatermark(SlowReaderChannel channel) {
        while (channel.isWritable()) {
            links.send(channel, links.heartbeat());
        }
        assertTrue(channel.isActive());
    }

    private ClientFrame sync() {
        return ClientFrame.newBuilder().setRequestId(links.nextRequestId()).setSync(SyncRequest.getDefaultInstance()).build();
    }

    private static LogicResponse syncAnswer(int bodyBytes) {
        return LogicResponse.newBuilder().setSync(SyncResponse.newBuilder().addAllOps(List.of(Op.newBuilder().setSeq(1)
                .setMessage(MessageOp.newBuilder().setBody(ByteString.copyFrom(new byte[bodyBytes]))).build()))).build();
    }
}

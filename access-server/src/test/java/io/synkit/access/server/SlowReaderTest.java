package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.HeartbeatRequest;
import io.synkit.protocol.client.SyncRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A1 as the issue saw it: a real access node, a client on a real socket that sends and never
 * reads. The node must stop reading it and cut it; the client learns of the cut when its blocked
 * write fails. Its heartbeats used to fill a 512 MiB heap, its pipelined syncs 870 MiB.
 */
class SlowReaderTest {

    /** Far more than kernel buffers on both sides can absorb; the old node read (and answered) all of it. */
    private static final long SENT_BYTES_MAX = 256L << 20;

    private static ResourceLeakDetector.Level leakDetection;

    private StubbedAccessNode node;
    private AccessServer server;

    /**
     * Until the node stops reading, it answers every heartbeat the kernel buffers took in (hundreds
     * of thousands); with paranoid leak tracking each answer's buffer records a stack trace. This
     * test is about bytes held, not buffers leaked (the handler tests check those): simple tracking.
     */
    @BeforeAll
    static void simpleLeakDetection() {
        leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterAll
    static void restoreLeakDetection() {
        ResourceLeakDetector.setLevel(leakDetection);
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private void start(String... keyValues) throws Exception {
        node = StubbedAccessNode.start(StubbedAccessNode.settings(keyValues));
        server = node.server;
    }

    @Test
    void aClientThatSendsHeartbeatsAndNeverReadsIsNoLongerReadThenCut() throws Exception {
        start("access.link.unwritable.timeout.ms", "1000");
        try (RawClient client = new RawClient(server.clientAddress(), 10_000, 4096)) {
            assertTrue(client.login(1, "phone").hasAuth());
            long sent = sendUntilCut(client, ClientFrame.newBuilder().setRequestId(2).setHeartbeat(HeartbeatRequest.getDefaultInstance()).build());
            assertTrue(sent < SENT_BYTES_MAX, "the node stopped reading and cut the link after " + sent + " bytes of heartbeats");
        }
        assertTrue(count("synkit_access_link_reads_paused") >= 1, "the node stopped reading the link");
        assertEquals(1, count("synkit_access_links_closed", "reason", "slow_reader"));
    }

    @Test
    void pipelinedSyncsOfAClientThatNeverReadsAreCutAtTheOutboundLimit() throws Exception {
        start();
        try (RawClient client = new RawClient(server.clientAddress(), 10_000, 4096)) {
            assertTrue(client.login(1, "phone").hasAuth());
            for (int request = 2; request < 2 + 64; request++) {
                client.write(ClientFrame.newBuilder().setRequestId(request).setSync(SyncRequest.newBuilder().setLimit(500)).build());
            }
            long sent = sendUntilCut(client, ClientFrame.newBuilder().setRequestId(100).setHeartbeat(HeartbeatRequest.getDefaultInstance()).build());
            assertTrue(sent < SENT_BYTES_MAX, "cut after " + sent + " bytes");
        }
        assertEquals(1, count("synkit_access_links_closed", "reason", "outbound_bytes_max"),
                "64 pages of ~520 KiB: the answer that would make more than 2 MiB wait is dropped and the link cut");
    }

    /** Writes {@code frame} over and over, never reading, until the node has closed the connection; returns the bytes sent. */
    private static long sendUntilCut(RawClient client, ClientFrame frame) {
        byte[] one = frame.toByteArray();
        int frameBytes = 4 + one.length;
        int frames = 64 * 1024 / frameBytes;
        ByteBuffer burst = ByteBuffer.allocate(frames * frameBytes);
        for (int i = 0; i < frames; i++) {
            burst.putInt(one.length).put(one);
        }
        long sent = 0;
        try {
            while (sent < SENT_BYTES_MAX) {
                client.out.write(burst.array()); // blocks once the node no longer reads
                sent += burst.capacity();
            }
        } catch (IOException closedByTheNode) {
            return sent;
        }
        return sent;
    }

    private double count(String name, String... tags) {
        return server.metrics().counter(name, tags).count();
    }
}

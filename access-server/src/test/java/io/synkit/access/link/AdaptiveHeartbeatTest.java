package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.HeartbeatRequest;
import io.synkit.protocol.client.HeartbeatResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A client that heartbeats less often (adaptive heartbeats) gets an idle timeout and presence window in proportion, within the maximum. */
@ExtendWith(ByteBufLeaks.class)
class AdaptiveHeartbeatTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    private HeartbeatResponse heartbeat(SlowReaderChannel channel, int intervalMs) throws Exception {
        links.send(channel, ClientFrame.newBuilder().setRequestId(links.nextRequestId())
                .setHeartbeat(HeartbeatRequest.newBuilder().setIntervalMs(intervalMs)).build());
        return links.onlyReceived(channel).getHeartbeat();
    }

    @Test
    void aLongerDeclaredIntervalStretchesTheIdleTimeoutAndThePresenceWindow() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        HeartbeatResponse answer = heartbeat(channel, 120_000);
        assertEquals(30_000, answer.getHeartbeatIntervalMs(), "the suggestion stays");
        assertEquals(300_000, answer.getHeartbeatIntervalMaxMs());

        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(179));
        assertTrue(links.sessions.get(1, "phone").present(), "within 1.5 x 120 s");
        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(2));
        assertFalse(links.sessions.get(1, "phone").present(), "silent past 1.5 intervals: offline");
        assertTrue(channel.isActive(), "the idle timeout is 3 x 120 s = 360 s, not 90 s");

        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(178));
        assertTrue(channel.isActive(), "359 s of silence");
        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(1));
        assertTrue(links.onlyReceived(channel).getGoAway().getReason().startsWith("idle"));
        assertFalse(channel.isActive());
    }

    @Test
    void anIntervalAboveTheMaximumCountsAsTheMaximum() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        heartbeat(channel, 3_600_000);

        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(899));
        assertTrue(channel.isActive(), "idle after 3 x 300 s, the maximum");
        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(1));
        assertTrue(links.onlyReceived(channel).getGoAway().getReason().startsWith("idle"));
        assertFalse(channel.isActive());
    }
}

package io.synkit.access.link;

import static io.synkit.access.link.AuthFirstTest.assertFatal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.LogicResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deadlines of a link (auth, idle, token expiry), all kept by the loop's sweep, and what a
 * closed link leaves behind: nothing. The harness's clock crosses the wrap of the links' int
 * milliseconds in the first second, so every deadline here is also checked across it.
 */
@ExtendWith(ByteBufLeaks.class)
class LinkDeadlinesTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void aLinkNotAuthenticatedWithinTheAuthTimeoutIsClosed() throws Exception {
        SlowReaderChannel channel = links.connect();
        links.advanceAndSweep(9_999);
        assertTrue(channel.isActive(), "not before the deadline");
        links.advanceAndSweep(1);
        assertFatal(ErrorCode.UNAUTHENTICATED, links.onlyReceived(channel));
        assertFalse(channel.isActive());
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "auth_timeout"));
        assertEquals(0, links.unauthenticated.count());
    }

    @Test
    void anAuthStillBeingRecordedAtTheAuthDeadlineIsCutAndItsRouteTakenBack() throws Exception {
        links.logic.holdRoutes = true;
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.auth(1, "phone", 60_000));
        links.advanceAndSweep(10_000);
        assertFatal(ErrorCode.UNAUTHENTICATED, links.onlyReceived(channel));

        links.logic.takePending().answer().complete(LogicResponse.getDefaultInstance());
        assertEquals(List.of(true, false), links.logic.routeUpdates());
        assertEquals(0, links.sessions.size());
    }

    @Test
    void anIdleLinkGetsGoAwayAndIsClosed() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.advanceAndSweep(89_999);
        assertTrue(channel.isActive());
        links.advanceAndSweep(1);
        ServerFrame goAway = links.onlyReceived(channel);
        assertEquals("idle: no heartbeat within the idle timeout", goAway.getGoAway().getReason());
        assertEquals(0, goAway.getRequestId());
        assertFalse(channel.isActive());
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "idle"));
    }

    @Test
    void heartbeatsKeepALinkOpen() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        for (int beat = 0; beat < 10; beat++) {
            links.advanceAndSweep(30_000);
            links.send(channel, links.heartbeat());
            assertTrue(links.onlyReceived(channel).hasHeartbeat());
        }
        assertTrue(channel.isActive(), "300 s of heartbeats every 30 s: never idle for 90 s");
    }

    @Test
    void aLinkIsClosedWhenItsTokenExpires() throws Exception {
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.auth(1, "phone", 45_000));
        assertTrue(links.onlyReceived(channel).hasAuth());
        links.advanceAndSweep(30_000);
        links.send(channel, links.heartbeat());
        links.received(channel);
        links.advanceAndSweep(14_999);
        assertTrue(channel.isActive());
        links.advanceAndSweep(1);
        assertEquals("token expired: reconnect with a fresh token", links.onlyReceived(channel).getGoAway().getReason());
        assertFalse(channel.isActive());
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "token_expired"));
    }

    /** A2: every link used to hold an idle timer and a token-expiry timer (24 h) that outlived its close. */
    @Test
    void aClosedLinkLeavesNothingBehind() throws Exception {
        SlowReaderChannel authenticated = links.authenticated(1, "phone");
        SlowReaderChannel waiting = links.connect();
        assertEquals(-1, authenticated.runScheduledPendingTasks(), "no timer of its own on the link's loop");
        assertEquals(2, links.sweep.size());

        authenticated.close();
        waiting.close();

        assertEquals(-1, authenticated.runScheduledPendingTasks(), "nothing scheduled after close");
        assertEquals(-1, waiting.runScheduledPendingTasks());
        assertEquals(0, links.sweep.size(), "the sweep no longer holds the links");
        assertEquals(0, links.sessions.size());
        assertNull(links.sessions.get(1, "phone"));
        assertEquals(0, links.unauthenticated.count());
        assertEquals(List.of(true, false), links.logic.routeUpdates(), "the closed device's route is removed");
        links.advanceAndSweep(24 * 3_600_000L);
        assertTrue(links.received(authenticated).isEmpty());
        assertTrue(links.received(waiting).isEmpty());
    }
}

package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.access.link.LinkSettings;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A4: connections that never log in cannot lock out logins. Real sockets against a real access
 * node and a logic stub in this JVM; the flood is 1,500 connections, as in the report.
 */
class UnauthenticatedFloodTest {

    private static final int FLOOD_LINKS = 1_500;
    private static final int LOGINS = 20;
    /** A login's answer, and a refusal "at once", come within this even on a loaded 2-core box. */
    private static final int PROMPT_MS = 5_000;

    private StubbedAccessNode node;
    private AccessServer server;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private void start(Map<String, String> settings) throws Exception {
        Map<String, String> config = new HashMap<>();
        // The flood and the logins share 127.0.0.1: without this the flood's bad frames would get that one address blocked
        // (AddressRateLimitTest), and the test is about what floods from many addresses cost.
        config.put("access.limit.address.rate.per.s", "0");
        config.putAll(settings);
        node = StubbedAccessNode.start(config);
        server = node.server;
    }

    private RawClient connect(int readTimeoutMs) throws Exception {
        return node.connect(readTimeoutMs);
    }

    @Test
    void beforeAuthAFrameLargerThanAnAuthFrameIsRefusedAtOnceAndLoginsKeepWorking() throws Exception {
        start(Map.of());
        List<RawClient> flood = new ArrayList<>();
        for (int i = 0; i < FLOOD_LINKS; i++) {
            RawClient client = connect(PROMPT_MS);
            // The attack: 1 MiB - 1 announced and some of it sent, in one write so nothing arrives after the refusal.
            client.out.write(ByteBuffer.allocate(4 + 1024).putInt((1 << 20) - 1).array());
            client.out.flush();
            flood.add(client);
        }
        assertLoginsWork();
        for (RawClient client : flood) {
            ServerFrame refused = client.read(); // within PROMPT_MS, half the default auth timeout
            assertEquals(ErrorCode.FRAME_TOO_LARGE, refused.getError().getCode(), refused.toString());
            assertTrue(refused.getError().getFatal());
            assertTrue(client.closedByServer());
        }
        assertEquals(FLOOD_LINKS, server.metrics().counter("synkit_access_bad_frames", "code", "FRAME_TOO_LARGE").count());
    }

    @Test
    void loginsKeepWorkingWhileUnauthenticatedLinksHoldPartialAuthFramesAndTheAuthDeadlineHolds() throws Exception {
        int authTimeoutMs = 2_000;
        start(Map.of("access.auth.timeout.ms", Integer.toString(authTimeoutMs), "access.link.sweep.interval.ms", "100"));
        List<RawClient> flood = new ArrayList<>();
        List<Long> openedNs = new ArrayList<>();
        for (int i = 0; i < FLOOD_LINKS; i++) {
            openedNs.add(System.nanoTime());
            RawClient client = connect(authTimeoutMs + PROMPT_MS);
            // The largest frame allowed before auth, less its last byte.
            client.out.write(ByteBuffer.allocate(4 + LinkSettings.AUTH_FRAME_BYTES_DEFAULT - 1).putInt(LinkSettings.AUTH_FRAME_BYTES_DEFAULT).array());
            client.out.flush();
            flood.add(client);
        }
        assertLoginsWork();
        for (int i = 0; i < flood.size(); i++) {
            ServerFrame cut = flood.get(i).read();
            long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNs.get(i));
            assertEquals(ErrorCode.UNAUTHENTICATED, cut.getError().getCode(), cut.toString());
            assertEquals("no auth within " + authTimeoutMs + " ms", cut.getError().getMessage());
            assertTrue(heldMs <= authTimeoutMs + PROMPT_MS, "flood link " + i + " held for " + heldMs + " ms");
            assertTrue(flood.get(i).closedByServer());
        }
        assertEquals(FLOOD_LINKS, server.metrics().counter("synkit_access_links_closed", "reason", "auth_timeout").count());
    }

    @Test
    void linksBeyondTheUnauthenticatedLimitAreRefusedAndAPlaceFreesWhenOneLogsIn() throws Exception {
        // One I/O thread: links open in the order they connect, so which link is the 51st is certain.
        start(Map.of("access.links.unauthenticated.max", "50", "access.io.threads", "1"));
        List<RawClient> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(connect(PROMPT_MS));
        }
        assertTrue(waiting.get(0).login(1, "phone").hasAuth(), "a link within the limit logs in");
        RawClient admitted = connect(PROMPT_MS);
        RawClient refused = connect(PROMPT_MS);
        ServerFrame refusal = refused.read();
        assertEquals(ErrorCode.UNAVAILABLE, refusal.getError().getCode(), refusal.toString());
        assertTrue(refusal.getError().getFatal());
        int retryAfterMs = refusal.getError().getRetryAfterMs();
        assertTrue(retryAfterMs >= 1000 && retryAfterMs <= 2000, "jittered in [1 s, 2 s]: " + retryAfterMs);
        assertTrue(refused.closedByServer());
        assertTrue(admitted.login(2, "phone").hasAuth(), "the place the first login freed was taken by the next link");
        assertEquals(1, server.metrics().counter("synkit_access_links_refused", "reason", "unauthenticated_max").count());
    }

    private void assertLoginsWork() throws Exception {
        for (int user = 1; user <= LOGINS; user++) {
            RawClient client = connect(PROMPT_MS);
            ServerFrame answer = client.login(user, "phone");
            assertTrue(answer.hasAuth(), "login " + user + " answered " + answer);
        }
        assertEquals(LOGINS, server.sessionCount());
    }

}

package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Auth first: the one frame a new link may send, what a token binds, and the frame limit before and after. */
@ExtendWith(ByteBufLeaks.class)
class AuthFirstTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void aValidTokenBindsTheLinkToItsDeviceAfterItsRouteIsRecorded() throws Exception {
        links.logic.inboxHeadSeq = 17;
        SlowReaderChannel channel = links.connect();
        ClientFrame auth = links.auth(42, "phone-1", 60_000);
        links.send(channel, auth);

        ServerFrame answer = links.onlyReceived(channel);
        assertEquals(auth.getRequestId(), answer.getRequestId());
        assertEquals(42, answer.getAuth().getUserId());
        assertEquals("phone-1", answer.getAuth().getDeviceId());
        assertEquals(30_000, answer.getAuth().getHeartbeatIntervalMs());
        assertEquals(LinkHarness.START_WALL_MS, answer.getAuth().getServerTimeMs());
        Caller online = links.logic.requests.get(0).getCaller();
        assertEquals(List.of(true), links.logic.routeUpdates());
        assertEquals("access-1:7101", online.getAccessNode());
        assertEquals(42, online.getUserId());
        assertSame(channel.pipeline().get(ClientLink.class), links.sessions.get(42, "phone-1"));
        assertEquals(online.getConnId(), links.sessions.get(42, "phone-1").connId());
        assertEquals(0, links.unauthenticated.count(), "an authenticated link no longer counts as waiting for auth");

        links.send(channel, links.heartbeat());
        assertEquals(17, links.onlyReceived(channel).getHeartbeat().getLatestInboxSeq(), "the inbox head at auth reaches the first heartbeat");
    }

    @Test
    void aRequestBeforeAuthIsRefusedAndTheLinkClosed() throws Exception {
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.heartbeat());
        assertFatal(ErrorCode.UNAUTHENTICATED, links.onlyReceived(channel));
        assertFalse(channel.isActive());
        assertEquals(0, links.unauthenticated.count());
        assertEquals(0, links.sweep.size());
    }

    @Test
    void aSecondFrameWhileAuthIsProcessedIsRefused() throws Exception {
        links.logic.holdRoutes = true;
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.auth(1, "phone", 60_000));
        links.send(channel, links.heartbeat());
        assertFatal(ErrorCode.UNAUTHENTICATED, links.onlyReceived(channel));
        assertFalse(channel.isActive());

        links.logic.takePending().answer().complete(LogicResponse.getDefaultInstance());
        assertEquals(List.of(true, false), links.logic.routeUpdates(), "the route recorded for a link that closed meanwhile is taken back");
        assertNull(links.sessions.get(1, "phone"));
    }

    @Test
    void aTokenThatDoesNotVerifyIsRefusedAndCounted() throws Exception {
        SlowReaderChannel channel = links.connect();
        links.send(channel, ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setToken("dev.bm90.c2ln")).build());
        assertFatal(ErrorCode.AUTH_FAILED, links.onlyReceived(channel));
        assertEquals(1, links.count("synkit_access_auth_failed"));
        assertTrue(links.logic.requests.isEmpty(), "no route for a token that did not verify");
    }

    @Test
    void authWithRequestIdZeroIsInvalid() throws Exception {
        SlowReaderChannel channel = links.connect();
        ClientFrame auth = links.auth(1, "phone", 60_000).toBuilder().setRequestId(0).build();
        links.send(channel, auth);
        assertFatal(ErrorCode.INVALID_REQUEST, links.onlyReceived(channel));
    }

    @Test
    void authOnAnAuthenticatedLinkIsAnsweredAndTheLinkStays() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        ClientFrame again = links.auth(2, "tablet", 60_000);
        links.send(channel, again);
        ServerFrame answer = links.onlyReceived(channel);
        assertEquals(ErrorCode.ALREADY_AUTHENTICATED, answer.getError().getCode());
        assertFalse(answer.getError().getFatal());
        assertTrue(channel.isActive());
        assertNull(links.sessions.get(2, "tablet"), "the second token grants nothing");
    }

    @Test
    void aFailedRouteRegistrationIsAFatalUnavailable() throws Exception {
        links.logic.routeFailure = FakeLogic.unavailable("no store primary");
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.auth(1, "phone", 60_000));
        assertFatal(ErrorCode.UNAVAILABLE, links.onlyReceived(channel));
        assertFalse(channel.isActive());
        assertEquals(0, links.sessions.size());
    }

    @Test
    void theSameDeviceAuthenticatingAgainReplacesItsOlderLink() throws Exception {
        SlowReaderChannel older = links.authenticated(5, "phone");
        SlowReaderChannel newer = links.authenticated(5, "phone");
        ServerFrame goAway = links.onlyReceived(older);
        assertEquals("replaced by a newer connection of the same device", goAway.getGoAway().getReason());
        assertFalse(older.isActive());
        assertTrue(newer.isActive());
        assertSame(newer.pipeline().get(ClientLink.class), links.sessions.get(5, "phone"), "the older link's close does not remove the newer session");
        assertEquals(1, links.count("synkit_access_links_closed", "reason", "replaced"));
    }

    /** The user's SET orders a device's logins by these stamps, so a login retried late never takes a newer link's route. */
    @Test
    void everyRequestOfALinkCarriesWhenItsLoginBeganByThisNodesClock() throws Exception {
        links.authenticated(5, "phone");
        links.clock.advanceMs(1_500);
        links.authenticated(5, "phone");

        // The older link's login, the newer link's login, then the replaced older link's route removal.
        assertEquals(List.of(true, true, false), links.logic.routeUpdates());
        assertEquals(List.of(LinkHarness.START_WALL_MS, LinkHarness.START_WALL_MS + 1_500, LinkHarness.START_WALL_MS),
                links.logic.requests.stream().map(request -> request.getCaller().getLoginAtMs()).toList());
    }

    @Test
    void beforeAuthAFrameLargerThanTheAuthLimitIsRefusedFromItsLengthAlone() throws Exception {
        SlowReaderChannel channel = links.connect();
        ByteBuf prefixOnly = channel.alloc().buffer(4).writeInt(links.settings.authFrameBytesMax() + 1);
        channel.writeInbound(prefixOnly);
        ServerFrame refused = links.onlyReceived(channel);
        assertFatal(ErrorCode.FRAME_TOO_LARGE, refused);
        assertFalse(channel.isActive());
        assertEquals(1, links.count("synkit_access_bad_frames", "code", "FRAME_TOO_LARGE"));
    }

    @Test
    void afterAuthTheFullFrameLimitApplies() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        ClientFrame send = ClientFrame.newBuilder().setRequestId(links.nextRequestId()).setSend(SendRequest.newBuilder()
                .setConvId("d:1:2").setClientMsgId("m1").setContentType(ContentType.CONTENT_TYPE_BINARY)
                .setBody(ByteString.copyFrom(new byte[32 * 1024]))).build();
        links.send(channel, send);
        LogicRequest forwarded = links.logic.takePending().request();
        assertEquals(32 * 1024, forwarded.getSend().getBody().size(), "a 32 KiB message passes once authenticated");
        assertTrue(channel.isActive());
    }

    @Test
    void aFrameBegunBeforeTheAuthResponseIsReadWithTheFullLimit() throws Exception {
        links.logic.holdRoutes = true;
        SlowReaderChannel channel = links.connect();
        ByteBuf heartbeat = LinkHarness.encode(links.heartbeat());
        ByteBuf authAndHalf = LinkHarness.encode(links.auth(1, "phone", 60_000)).writeBytes(heartbeat, 3);
        channel.writeInbound(authAndHalf);
        links.logic.takePending().answer().complete(LogicResponse.getDefaultInstance());
        assertTrue(links.onlyReceived(channel).hasAuth());

        channel.writeInbound(heartbeat);
        assertTrue(links.onlyReceived(channel).hasHeartbeat(), "the bytes the auth decoder held went on to the full-limit decoder");
    }

    @Test
    void linksBeyondTheUnauthenticatedLimitAreRefusedWithRetryAfter() throws Exception {
        SlowReaderChannel first = links.connect();
        SlowReaderChannel second = links.connect();
        SlowReaderChannel third = links.connect();
        ServerFrame refused = links.onlyReceived(third);
        assertFatal(ErrorCode.UNAVAILABLE, refused);
        int retryAfterMs = refused.getError().getRetryAfterMs();
        assertTrue(retryAfterMs >= 1000 && retryAfterMs <= 2000, "jittered in [1 s, 2 s], as a paced login: " + retryAfterMs);
        assertFalse(third.isActive());
        assertEquals(1, links.count("synkit_access_links_refused", "reason", "unauthenticated_max"));
        assertEquals(2, links.unauthenticated.count());

        links.send(first, links.auth(1, "phone", 60_000));
        assertTrue(links.onlyReceived(first).hasAuth());
        SlowReaderChannel fourth = links.connect();
        assertTrue(fourth.isActive(), "an authenticated link frees its place");
        assertTrue(links.received(fourth).isEmpty());
        assertTrue(second.isActive());
    }

    static void assertFatal(ErrorCode code, ServerFrame frame) {
        assertEquals(code, frame.getError().getCode(), frame.toString());
        assertTrue(frame.getError().getFatal(), "fatal: " + frame);
        assertFalse(frame.getError().getMessage().isEmpty(), "says why");
    }
}

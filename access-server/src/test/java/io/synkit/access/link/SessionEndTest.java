package io.synkit.access.link;

import static io.synkit.access.link.AuthFirstTest.assertFatal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.LogoutRequest;
import io.synkit.protocol.client.LogoutResponse;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.DeviceLoggedIn;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sessions the cluster ends (logout, login policy, revoked tokens) as one link sees them. */
@ExtendWith(ByteBufLeaks.class)
class SessionEndTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void aSessionEndedWhileItsLoginWasOnItsWayEndsTheLinkOnceItAuthenticates() throws Exception {
        links.logic.holdRoutes = true;
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.auth(1, "phone", 60_000));
        FakeLogic.Call login = links.logic.takePending();
        links.endedSessions.add(SessionEnd.newBuilder().setUserId(1).setDeviceId("phone").setConnId(login.request().getCaller().getConnId())
                .setCode(ErrorCode.LOGGED_OUT).setReason("logged out").build());

        login.answer().complete(LogicResponse.newBuilder().setLogin(DeviceLoggedIn.getDefaultInstance()).build());

        List<ServerFrame> frames = links.received(channel);
        assertEquals(2, frames.size(), frames.toString());
        assertTrue(frames.get(0).hasAuth());
        assertEquals(ErrorCode.LOGGED_OUT, frames.get(1).getGoAway().getCode());
        assertFalse(channel.isActive());
        assertEquals(1, links.count("synkit_access_sessions_ended", "code", "LOGGED_OUT"));
    }

    @Test
    void aTokenTheUsersSetHoldsRevokedIsRefusedWithItsOwnCodeAndCounter() throws Exception {
        links.logic.routeFailure = new RpcException(ErrorCode.TOKEN_REVOKED, "issued before the device's logout");
        SlowReaderChannel channel = links.connect();

        links.send(channel, links.auth(1, "phone", 60_000));

        assertFatal(ErrorCode.TOKEN_REVOKED, links.onlyReceived(channel));
        assertFalse(channel.isActive());
        assertEquals(1, links.count("synkit_access_auth_refused", "code", "TOKEN_REVOKED"));
    }

    @Test
    void aDeviceThatLogsItselfOutGetsTheAnswerFirstThenGoAway() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        long requestId = links.nextRequestId();
        links.send(channel, ClientFrame.newBuilder().setRequestId(requestId).setLogout(LogoutRequest.getDefaultInstance()).build());

        links.logic.takePending().answer().complete(LogicResponse.newBuilder().setLogout(LogoutResponse.newBuilder().addDeviceIds("phone")).build());

        List<ServerFrame> frames = links.received(channel);
        assertEquals(2, frames.size(), frames.toString());
        assertEquals(requestId, frames.get(0).getRequestId());
        assertEquals(List.of("phone"), frames.get(0).getLogout().getDeviceIdsList());
        assertEquals(ErrorCode.LOGGED_OUT, frames.get(1).getGoAway().getCode());
        assertFalse(channel.isActive());
    }

    @Test
    void loggingAnotherDeviceOutKeepsThisLink() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.send(channel, ClientFrame.newBuilder().setRequestId(links.nextRequestId())
                .setLogout(LogoutRequest.newBuilder().setDeviceId("tablet")).build());

        links.logic.takePending().answer().complete(LogicResponse.newBuilder().setLogout(LogoutResponse.newBuilder().addDeviceIds("tablet")).build());

        assertTrue(links.onlyReceived(channel).hasLogout());
        assertTrue(channel.isActive());
    }
}

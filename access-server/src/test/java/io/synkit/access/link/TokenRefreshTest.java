package io.synkit.access.link;

import static io.synkit.access.link.AuthFirstTest.assertFatal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.auth.AuthToken;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.RefreshRequest;
import io.synkit.protocol.client.RefreshResponse;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.DeviceRefreshed;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Short-lived access tokens and the refresh path, as one link sees them. */
@ExtendWith(ByteBufLeaks.class)
class TokenRefreshTest {

    private static final long REFRESH_TTL_MS = TimeUnit.DAYS.toMillis(30);

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void anAuthWithARefreshTokenGetsAnAccessTokenOfItsLoginAndTheRefreshTokenSignedAgain() throws Exception {
        long loginMs = links.clock.nowMs();
        String refreshToken = links.tokens.issueRefresh(1, "phone", REFRESH_TTL_MS);
        links.clock.advanceMs(5000);
        SlowReaderChannel channel = links.connect();

        links.send(channel, ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setRefreshToken(refreshToken)).build());

        AuthResponse auth = links.onlyReceived(channel).getAuth();
        AuthToken access = links.tokens.verify(auth.getAccessToken());
        assertEquals(new AuthToken(1, "phone", loginMs, links.clock.nowMs() + LinkHarness.ACCESS_TOKEN_TTL_MS), access);
        assertEquals(access.expiresAtMs(), auth.getAccessTokenExpiresAtMs());
        assertEquals(links.tokens.verifyRefresh(refreshToken), links.tokens.verifyRefresh(auth.getRefreshToken()));
        LogicRequest login = links.logic.requests.get(0);
        assertEquals(loginMs, login.getLogin().getTokenIssuedAtMs(), "the SET checks the refresh token's login");
    }

    @Test
    void aRefreshKeepsTheLinkAliveUntilTheNewAccessTokenExpires() throws Exception {
        SlowReaderChannel channel = links.connect();
        links.send(channel, links.auth(1, "phone", TimeUnit.MINUTES.toMillis(10)));
        assertTrue(links.onlyReceived(channel).hasAuth());
        long requestId = links.nextRequestId();

        links.send(channel, refresh(requestId, links.tokens.issueRefresh(1, "phone", REFRESH_TTL_MS)));
        FakeLogic.Call check = links.logic.takePending();
        check.answer().complete(LogicResponse.newBuilder().setRefreshed(DeviceRefreshed.getDefaultInstance()).build());

        RefreshResponse renewed = links.onlyReceived(channel).getRefresh();
        assertEquals(links.clock.nowMs() + LinkHarness.ACCESS_TOKEN_TTL_MS, renewed.getAccessTokenExpiresAtMs());
        for (int minute = 1; minute < 60; minute++) {
            links.advanceAndSweep(TimeUnit.MINUTES.toMillis(1));
            links.send(channel, links.heartbeat());
            assertTrue(links.onlyReceived(channel).hasHeartbeat(), "alive at minute " + minute + ", past the first token's expiry");
        }
        links.advanceAndSweep(TimeUnit.SECONDS.toMillis(61));
        assertEquals(ErrorCode.TOKEN_EXPIRED, links.onlyReceived(channel).getGoAway().getCode());
        assertFalse(channel.isActive());
    }

    @Test
    void aRefreshTokenOfAnotherDeviceIsForbiddenAndOneOfARevokedLoginIsRefused() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");

        links.send(channel, refresh(links.nextRequestId(), links.tokens.issueRefresh(1, "tablet", REFRESH_TTL_MS)));
        assertEquals(ErrorCode.FORBIDDEN, links.onlyReceived(channel).getError().getCode());

        links.send(channel, refresh(links.nextRequestId(), links.tokens.issueRefresh(1, "phone", REFRESH_TTL_MS)));
        links.logic.takePending().answer().completeExceptionally(new RpcException(ErrorCode.TOKEN_REVOKED, "logged out"));
        ServerFrame refused = links.onlyReceived(channel);
        assertEquals(ErrorCode.TOKEN_REVOKED, refused.getError().getCode());
        assertEquals(1, links.count("synkit_access_auth_refused", "code", "TOKEN_REVOKED"));
    }

    @Test
    void anAccessTokenIsNoRefreshTokenAndAnAuthWithBothIsInvalid() throws Exception {
        SlowReaderChannel linked = links.authenticated(1, "phone");
        links.send(linked, refresh(links.nextRequestId(), links.tokens.issue(1, "phone", REFRESH_TTL_MS)));
        assertEquals(ErrorCode.AUTH_FAILED, links.onlyReceived(linked).getError().getCode());

        SlowReaderChannel both = links.connect();
        String token = links.tokens.issue(1, "phone", REFRESH_TTL_MS);
        links.send(both, ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setToken(token).setRefreshToken(token)).build());
        assertFatal(ErrorCode.INVALID_REQUEST, links.onlyReceived(both));
    }

    private static ClientFrame refresh(long requestId, String refreshToken) {
        return ClientFrame.newBuilder().setRequestId(requestId).setRefresh(RefreshRequest.newBuilder().setRefreshToken(refreshToken)).build();
    }
}

package io.synkit.access.link;

import io.synkit.access.session.DeviceKey;
import io.synkit.protocol.auth.AuthException;
import io.synkit.protocol.auth.AuthToken;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.DeviceLogin;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auth first: until a token verifies, the only frame accepted is one Auth; anything else, or a
 * second frame while the first Auth is processed, gets UNAUTHENTICATED and the link is closed. A
 * verified token binds the link to one user and device for its lifetime: the identity of every
 * later request comes from here, never from the request. Before the client hears AuthResponse
 * the device is logged in at the user's SET: a revoked token is refused there (TOKEN_REVOKED, the
 * same on every access node and after a failover), the login policy applies, and the device's
 * route is recorded so notifies find it. Each refusal has its own code and counter, and is logged
 * with its reason, never the token. Logins on their way to logic are capped per node
 * ({@link LoginSlots}): in a reconnect storm an Auth beyond the cap is refused at once with a
 * jittered retry-after rather than queued until every login is slow; a node holding
 * {@code access.redirect.above.links} links sends new logins on to the other nodes (GoAway
 * REDIRECTED), once per client. Shared by every link; runs
 * on the link's event loop.
 */
final class Authenticator {

    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

    private final LinkServices services;

    Authenticator(LinkServices services) {
        this.services = services;
    }

    void onFrame(ClientLink link, ClientFrame frame) {
        if (!frame.hasAuth() || !link.awaitingAuth()) {
            link.closeWith(Frames.error(frame.getRequestId(), ErrorCode.UNAUTHENTICATED, "the first request on a link must be Auth, and only one", true));
            return;
        }
        long readNanos = services.clock().nanoTime();
        services.metrics().authWaited(link.openForMs());
        long requestId = frame.getRequestId();
        if (requestId == 0) {
            link.closeWith(Frames.error(0, ErrorCode.INVALID_REQUEST, "request_id 0 is reserved for server pushes", true));
            return;
        }
        AuthRequest auth = frame.getAuth();
        if (auth.getToken().isEmpty() == auth.getRefreshToken().isEmpty()) {
            link.closeWith(Frames.error(requestId, ErrorCode.INVALID_REQUEST, "Auth takes a token or a refresh_token, exactly one", true));
            return;
        }
        boolean refreshing = !auth.getRefreshToken().isEmpty();
        AuthToken presented;
        try {
            presented = refreshing ? services.tokens().verifyRefresh(auth.getRefreshToken()) : services.tokens().verify(auth.getToken());
        } catch (AuthException e) {
            refuse(link, requestId, e.code(), e.getMessage());
            return;
        }
        int links = services.sessions().size() + services.logins().taken();
        if (services.redirectAboveLinks() > 0 && links >= services.redirectAboveLinks() && !auth.getRedirected()
                && !services.peerAddresses().isEmpty()) {
            services.metrics().loginRedirected();
            link.closeWith(Frames.redirect("redirected: this node holds " + links + " links",
                    FallbackOrder.of(services.peerAddresses(), ThreadLocalRandom.current()::nextInt)));
            return;
        }
        if (!services.logins().tryTake()) {
            services.metrics().loginsPaced();
            int retryAfterMs = services.settings().refusedRetryAfterJitteredMs();
            link.closeWith(Frames.error(requestId, ErrorCode.UNAVAILABLE, services.logins().max() + " logins are on their way on this node; retry after "
                    + retryAfterMs + " ms", true, retryAfterMs));
            return;
        }
        // A refresh token logs in with an access token minted for its login: the link lives as long as that token.
        AuthToken token = refreshing ? services.tokens().access(presented, services.accessTokenTtlMs()) : presented;
        link.authenticating(new DeviceKey(token.userId(), token.deviceId()), services.connIds().getAsLong(), token.expiresAtMs());
        LogicRequest login = LogicRequest.newBuilder().setCaller(link.caller(requestId)).setLogin(DeviceLogin.newBuilder()
                .setPlatformValue(auth.getPlatformValue()).setTokenIssuedAtMs(token.issuedAtMs())
                .setAppVersion(auth.getClientVersion()).setProtocolVersion(auth.getProtocolVersion())).build();
        CompletableFuture<LogicResponse> answered;
        try {
            answered = services.logic().call(login);
        } catch (RuntimeException | Error e) {
            services.logins().release();
            throw e;
        }
        // The slot is freed when logic answers, not on the link's loop: a loop that is gone must not keep it.
        answered.whenComplete((response, failure) -> services.logins().release());
        answered.whenComplete((response, failure) -> link.onLoop(() -> {
            if (failure != null) {
                services.halt().ifFatal(failure);
                RpcException error = RpcException.of(failure);
                if (error.error().getCode() == ErrorCode.TOKEN_REVOKED) {
                    refuse(link, requestId, ErrorCode.TOKEN_REVOKED, "the token was issued before this device's tokens were revoked");
                    return;
                }
                link.closeWith(Frames.error(requestId, ErrorCode.UNAVAILABLE, "cannot log the device in: " + error.getMessage(), true));
                return;
            }
            AuthResponse.Builder answer = response(link);
            if (refreshing) {
                answer.setAccessToken(services.tokens().signAccess(token)).setAccessTokenExpiresAtMs(token.expiresAtMs())
                        .setRefreshToken(services.tokens().signRefresh(presented));
            }
            if (link.authenticated(ServerFrame.newBuilder().setRequestId(requestId).setAuth(answer).build(), response.getLogin().getInboxHeadSeq())) {
                services.metrics().loggedIn(services.clock().nanoTime() - readNanos);
            }
        }));
    }

    /** A token refused: its own code and counter, a log line naming why but never the token. */
    private void refuse(ClientLink link, long requestId, ErrorCode code, String reason) {
        services.metrics().authRefused(code);
        if (code == ErrorCode.AUTH_FAILED && link.address() != null) {
            // A forged or malformed token is misbehaviour; an expired, revoked or retired one is a client being late.
            services.addressLimits().strike(link.address());
        }
        log.info("auth refused peer={} code={} reason=\"{}\"", link.context().channel().remoteAddress(), code, reason);
        link.closeWith(Frames.error(requestId, code, reason, true));
    }

    private AuthResponse.Builder response(ClientLink link) {
        return AuthResponse.newBuilder().setUserId(link.device().userId()).setDeviceId(link.device().deviceId())
                .setHeartbeatIntervalMs(services.settings().heartbeatIntervalMs()).setServerTimeMs(services.clock().nowMs())
                .setHeartbeatIntervalMaxMs(services.settings().heartbeatIntervalMaxMs())
                .addAllAccessAddresses(FallbackOrder.of(services.peerAddresses(), ThreadLocalRandom.current()::nextInt));
    }
}

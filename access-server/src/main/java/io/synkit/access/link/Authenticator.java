package io.synkit.access.link;

import io.synkit.access.session.DeviceKey;
import io.synkit.protocol.auth.AuthException;
import io.synkit.protocol.auth.AuthToken;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.RouteUpdate;
import io.synkit.protocol.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auth first: until a token verifies, the only frame accepted is one Auth; anything else, or a
 * second frame while the first Auth is processed, gets UNAUTHENTICATED and the link is closed. A
 * verified token binds the link to one user and device for its lifetime: the identity of every
 * later request comes from here, never from the request. The device's route is recorded (so
 * notifies find it) before the client hears AuthResponse. Shared by every link; runs on the
 * link's event loop.
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
        long requestId = frame.getRequestId();
        if (requestId == 0) {
            link.closeWith(Frames.error(0, ErrorCode.INVALID_REQUEST, "request_id 0 is reserved for server pushes", true));
            return;
        }
        AuthToken token;
        try {
            token = services.tokens().verify(frame.getAuth().getToken());
        } catch (AuthException e) {
            services.metrics().authFailed();
            log.info("auth failed peer={} reason=\"{}\"", link.context().channel().remoteAddress(), e.getMessage());
            link.closeWith(Frames.error(requestId, ErrorCode.AUTH_FAILED, e.getMessage(), true));
            return;
        }
        link.authenticating(new DeviceKey(token.userId(), token.deviceId()), services.connIds().getAsLong(), token.expiresAtMs());
        LogicRequest online = LogicRequest.newBuilder().setCaller(link.caller(requestId)).setRoute(RouteUpdate.newBuilder().setOnline(true)).build();
        services.logic().call(online).whenComplete((response, failure) -> link.onLoop(() -> {
            if (failure != null) {
                services.halt().ifFatal(failure);
                link.closeWith(Frames.error(requestId, ErrorCode.UNAVAILABLE,
                        "cannot register the device route: " + RpcException.of(failure).getMessage(), true));
                return;
            }
            link.authenticated(requestId, response.getRoute().getInboxHeadSeq());
        }));
    }

    static ServerFrame response(long requestId, ClientLink link, LinkServices services) {
        return ServerFrame.newBuilder().setRequestId(requestId).setAuth(AuthResponse.newBuilder()
                .setUserId(link.device().userId()).setDeviceId(link.device().deviceId())
                .setHeartbeatIntervalMs(services.settings().heartbeatIntervalMs())
                .setServerTimeMs(services.clock().nowMs())).build();
    }
}

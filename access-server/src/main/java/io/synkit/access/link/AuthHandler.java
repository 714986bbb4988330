package io.synkit.access.link;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.synkit.access.session.ClientSession;
import io.synkit.protocol.auth.AuthException;
import io.synkit.protocol.auth.AuthToken;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.RouteUpdate;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auth first: until a token verifies, the only frame accepted is Auth; anything else gets
 * UNAUTHENTICATED and the link is closed, as is a link that stays unauthenticated past the auth
 * timeout. A verified token binds the link to one user and device for its lifetime: the identity
 * of every later request comes from here, never from the request. On success the device's route
 * is recorded (so notifies find it) before the client hears AuthResponse.
 */
public final class AuthHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AuthHandler.class);

    private final LinkServices services;
    private final Counter authFailed;
    private ScheduledFuture<?> authTimer;
    private boolean authStarted;

    public AuthHandler(LinkServices services) {
        this.services = services;
        this.authFailed = services.metrics().counter("synkit_access_auth_failed");
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        authTimer = ctx.executor().schedule(() -> {
            if (Sessions.of(ctx.channel()) == null) {
                ctx.writeAndFlush(Frames.error(0, ErrorCode.UNAUTHENTICATED, "no auth within " + services.settings().authTimeoutMs() + " ms", true))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }, services.settings().authTimeoutMs(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientFrame frame = (ClientFrame) msg;
        if (Sessions.of(ctx.channel()) != null) {
            if (frame.hasAuth()) {
                ctx.writeAndFlush(Frames.error(frame.getRequestId(), ErrorCode.ALREADY_AUTHENTICATED, "this link is authenticated already", false));
                return;
            }
            ctx.fireChannelRead(msg);
            return;
        }
        if (!frame.hasAuth() || authStarted) {
            closeWith(ctx, frame.getRequestId(), ErrorCode.UNAUTHENTICATED, "the first request on a link must be Auth, and only one");
            return;
        }
        authStarted = true;
        if (frame.getRequestId() == 0) {
            closeWith(ctx, 0, ErrorCode.INVALID_REQUEST, "request_id 0 is reserved for server pushes");
            return;
        }
        AuthToken token;
        try {
            token = services.tokens().verify(frame.getAuth().getToken());
        } catch (AuthException e) {
            authFailed.increment();
            log.info("auth failed peer={} reason=\"{}\"", ctx.channel().remoteAddress(), e.getMessage());
            closeWith(ctx, frame.getRequestId(), ErrorCode.AUTH_FAILED, e.getMessage());
            return;
        }
        register(ctx, frame.getRequestId(), token);
    }

    private void register(ChannelHandlerContext ctx, long requestId, AuthToken token) {
        ClientSession session = new ClientSession(token.userId(), token.deviceId(), services.connIds().getAsLong(), ctx.channel());
        LogicRequest online = LogicRequest.newBuilder().setCaller(Sessions.caller(session, services.accessNode(), requestId))
                .setRoute(RouteUpdate.newBuilder().setOnline(true)).build();
        services.logic().call(online).whenComplete((response, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                RpcException error = RpcException.of(failure);
                closeWith(ctx, requestId, ErrorCode.UNAVAILABLE, "cannot register the device route: " + error.getMessage());
                return;
            }
            if (!ctx.channel().isActive()) {
                Sessions.routeOffline(services, session);
                return;
            }
            authTimer.cancel(false);
            Sessions.attach(ctx.channel(), session);
            ClientSession replaced = services.sessions().add(session);
            if (replaced != null) {
                replaced.channel().writeAndFlush(Frames.goAway("replaced by a newer connection of the same device", 0))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            session.inboxAdvanced(response.getRoute().getInboxHeadSeq());
            expireWithToken(ctx, token);
            ctx.writeAndFlush(ServerFrame.newBuilder().setRequestId(requestId).setAuth(AuthResponse.newBuilder()
                    .setUserId(session.userId()).setDeviceId(session.deviceId())
                    .setHeartbeatIntervalMs(services.settings().heartbeatIntervalMs())
                    .setServerTimeMs(services.clock().nowMs())).build());
        }));
    }

    /**
     * A link lives no longer than the token that opened it: at expiry the client is told to go
     * away and reconnect with a fresh token, so revoking a device takes effect within one token
     * lifetime.
     */
    private void expireWithToken(ChannelHandlerContext ctx, AuthToken token) {
        long remainingMs = Math.max(0, token.expiresAtMs() - services.clock().nowMs());
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(Frames.goAway("token expired: reconnect with a fresh token", 0)).addListener(ChannelFutureListener.CLOSE);
            }
        }, remainingMs, TimeUnit.MILLISECONDS);
    }

    private static void closeWith(ChannelHandlerContext ctx, long requestId, ErrorCode code, String message) {
        ctx.writeAndFlush(Frames.error(requestId, code, message, true)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        ClientSession session = Sessions.of(ctx.channel());
        if (session != null) {
            services.sessions().remove(session);
            Sessions.routeOffline(services, session);
        }
        ctx.fireChannelInactive();
    }
}

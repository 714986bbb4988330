package io.synkit.access.link;

import io.synkit.access.limit.Verdict;
import io.synkit.protocol.auth.AuthException;
import io.synkit.protocol.auth.AuthToken;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.Error;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.HeartbeatResponse;
import io.synkit.protocol.client.RefreshRequest;
import io.synkit.protocol.client.RefreshResponse;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.DeviceRefresh;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.rpc.RpcException;

/**
 * Serves an authenticated link's requests: heartbeats here (with the latest inbox seq the link
 * knows of, so a lost notify is repaired), Send, Sync, the group and read-state requests forwarded to a logic node
 * with the caller identity taken from the link. At most {@code inflightCountMax} forwarded
 * requests per link wait for logic; more are refused with RATE_LIMITED rather than queued. Shared
 * by every link; runs on the link's event loop.
 */
final class RequestRouter {

    private final LinkServices services;

    RequestRouter(LinkServices services) {
        this.services = services;
    }

    void route(ClientLink link, ClientFrame frame) {
        long requestId = frame.getRequestId();
        if (requestId == 0) {
            link.reply(Frames.error(0, ErrorCode.INVALID_REQUEST, "request_id 0 is reserved for server pushes", false));
            return;
        }
        Verdict verdict = services.userLimits().spend(link.device().userId(), 1);
        if (!verdict.allowed()) {
            link.reply(Frames.error(requestId, ErrorCode.RATE_LIMITED, (verdict.outcome() == Verdict.Outcome.BLOCKED
                    ? "this user is blocked for sending too many requests" : "too many requests of this user") + "; retry after "
                    + verdict.retryAfterMs() + " ms", false, verdict.retryAfterMs()));
            return;
        }
        switch (frame.getBodyCase()) {
            case HEARTBEAT -> {
                link.heartbeatsEvery(frame.getHeartbeat().getIntervalMs());
                link.reply(ServerFrame.newBuilder().setRequestId(requestId).setHeartbeat(HeartbeatResponse.newBuilder()
                        .setLatestInboxSeq(link.latestInboxSeq()).setHeartbeatIntervalMs(services.settings().heartbeatIntervalMs())
                        .setHeartbeatIntervalMaxMs(services.settings().heartbeatIntervalMaxMs())).build());
            }
            case SEND -> forward(link, requestId, LogicRequest.newBuilder().setSend(frame.getSend()));
            case SYNC -> forward(link, requestId, LogicRequest.newBuilder().setSync(frame.getSync()));
            case CREATE_GROUP -> forward(link, requestId, LogicRequest.newBuilder().setCreateGroup(frame.getCreateGroup()));
            case LIST_DEVICES -> forward(link, requestId, LogicRequest.newBuilder().setListDevices(frame.getListDevices()));
            case LOGOUT -> forward(link, requestId, LogicRequest.newBuilder().setLogout(frame.getLogout()));
            case REFRESH -> refresh(link, requestId, frame.getRefresh());
            case CHANGE_GROUP -> forward(link, requestId, LogicRequest.newBuilder().setChangeGroup(frame.getChangeGroup()));
            case HISTORY -> forward(link, requestId, LogicRequest.newBuilder().setHistory(frame.getHistory()));
            case MARK_READ -> forward(link, requestId, LogicRequest.newBuilder().setMarkRead(frame.getMarkRead()));
            case CONVERSATION_LIST -> forward(link, requestId, LogicRequest.newBuilder().setConversationList(frame.getConversationList()));
            case AUTH -> link.reply(Frames.error(requestId, ErrorCode.ALREADY_AUTHENTICATED, "this link is authenticated already", false));
            case BODY_NOT_SET -> link.reply(Frames.error(requestId, ErrorCode.INVALID_REQUEST, "frame has no request body (unknown request kind?)", false));
        }
    }

    private void forward(ClientLink link, long requestId, LogicRequest.Builder request) {
        if (!link.tryBeginRequest()) {
            link.reply(Frames.error(requestId, ErrorCode.RATE_LIMITED,
                    "more than " + services.settings().inflightCountMax() + " requests in flight on this link", false));
            return;
        }
        request.setCaller(link.caller(requestId));
        services.logic().call(request.build()).whenComplete((response, failure) -> link.onLoop(() -> {
            if (failure != null) {
                services.halt().ifFatal(failure); // e.g. an OutOfMemoryError while the answer was parsed
            }
            link.answerForwarded(failure == null ? answer(link, requestId, response) : Frames.error(requestId, RpcException.of(failure).error()));
            if (failure == null && loggedThisDeviceOut(link, response)) {
                link.end(ErrorCode.LOGGED_OUT, "logged out"); // after the answer, so the client sees it first
            }
        }));
    }

    /**
     * A new access token for the link's device from a refresh token of the same device, once the
     * user's SET confirms the refresh token's login is not revoked; the link then lives until the
     * new token expires. Refusals are answers (the link stays until its own token expires).
     */
    private void refresh(ClientLink link, long requestId, RefreshRequest request) {
        AuthToken refresh;
        try {
            refresh = services.tokens().verifyRefresh(request.getRefreshToken());
        } catch (AuthException e) {
            services.metrics().authRefused(e.code());
            link.reply(Frames.error(requestId, e.code(), e.getMessage(), false));
            return;
        }
        if (refresh.userId() != link.device().userId() || !refresh.deviceId().equals(link.device().deviceId())) {
            link.reply(Frames.error(requestId, ErrorCode.FORBIDDEN, "the refresh token belongs to another device than this link's", false));
            return;
        }
        if (!link.tryBeginRequest()) {
            link.reply(Frames.error(requestId, ErrorCode.RATE_LIMITED,
                    "more than " + services.settings().inflightCountMax() + " requests in flight on this link", false));
            return;
        }
        LogicRequest check = LogicRequest.newBuilder().setCaller(link.caller(requestId))
                .setRefresh(DeviceRefresh.newBuilder().setTokenIssuedAtMs(refresh.issuedAtMs())).build();
        services.logic().call(check).whenComplete((response, failure) -> link.onLoop(() -> {
            if (failure != null) {
                services.halt().ifFatal(failure);
                RpcException error = RpcException.of(failure);
                if (error.error().getCode() == ErrorCode.TOKEN_REVOKED) {
                    services.metrics().authRefused(ErrorCode.TOKEN_REVOKED);
                }
                link.answerForwarded(Frames.error(requestId, error.error()));
                return;
            }
            AuthToken access = services.tokens().access(refresh, services.accessTokenTtlMs());
            link.tokenRenewed(access.expiresAtMs());
            link.answerForwarded(ServerFrame.newBuilder().setRequestId(requestId).setRefresh(RefreshResponse.newBuilder()
                    .setAccessToken(services.tokens().signAccess(access)).setAccessTokenExpiresAtMs(access.expiresAtMs())
                    .setRefreshToken(services.tokens().signRefresh(refresh))).build());
        }));
    }

    private static boolean loggedThisDeviceOut(ClientLink link, LogicResponse response) {
        return response.getBodyCase() == LogicResponse.BodyCase.LOGOUT && response.getLogout().getDeviceIdsList().contains(link.device().deviceId());
    }

    /** Logic's answer as the client sees it; the inbox seqs it carries raise what the link knows. */
    private static ServerFrame answer(ClientLink link, long requestId, LogicResponse response) {
        ServerFrame.Builder frame = ServerFrame.newBuilder().setRequestId(requestId);
        switch (response.getBodyCase()) {
            case SEND_ACK -> {
                link.inboxAdvanced(response.getSendAck().getSeq());
                frame.setSendAck(response.getSendAck());
            }
            case SYNC -> {
                inboxPositions(response.getSync().getNewKey(), link);
                frame.setSync(response.getSync());
            }
            case GROUP_CREATED -> frame.setGroupCreated(response.getGroupCreated());
            case DEVICES -> frame.setDevices(response.getDevices());
            case LOGOUT -> frame.setLogout(response.getLogout());
            case GROUP_CHANGED -> {
                link.inboxAdvanced(response.getGroupChanged().getSeq());
                frame.setGroupChanged(response.getGroupChanged());
            }
            case HISTORY -> frame.setHistory(response.getHistory());
            case READ_MARKED -> {
                link.inboxAdvanced(response.getReadMarked().getSeq());
                frame.setReadMarked(response.getReadMarked());
            }
            case CONVERSATION_LIST -> {
                inboxPositions(response.getConversationList().getKey(), link);
                frame.setConversationList(response.getConversationList());
            }
            default -> frame.setError(Error.newBuilder().setCode(ErrorCode.INTERNAL).setMessage("logic answered with " + response.getBodyCase()));
        }
        return frame.build();
    }

    /** The key's inbox position raises the link's known inbox head; a large group's log position (a conv_seq) does not. */
    private static void inboxPositions(SyncKey key, ClientLink link) {
        key.getPositionsList().stream().filter(position -> position.getStream() == Stream.STREAM_INBOX)
                .forEach(position -> link.inboxAdvanced(position.getSeq()));
    }
}

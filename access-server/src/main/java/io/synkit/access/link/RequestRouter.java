package io.synkit.access.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.synkit.access.session.ClientSession;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.HeartbeatResponse;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.rpc.RpcException;

/**
 * Serves an authenticated link's requests: heartbeats here (with the latest inbox seq the link
 * knows of, so a lost notify is repaired), Send and Sync forwarded to a logic node with the
 * caller identity taken from the session. At most {@code inflightCountMax} requests per link are
 * in flight; more are refused with RATE_LIMITED rather than queued.
 */
public final class RequestRouter extends SimpleChannelInboundHandler<ClientFrame> {

    private final LinkServices services;

    public RequestRouter(LinkServices services) {
        this.services = services;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClientFrame frame) {
        ClientSession session = Sessions.of(ctx.channel());
        long requestId = frame.getRequestId();
        if (requestId == 0) {
            ctx.writeAndFlush(Frames.error(0, ErrorCode.INVALID_REQUEST, "request_id 0 is reserved for server pushes", false));
            return;
        }
        switch (frame.getBodyCase()) {
            case HEARTBEAT -> ctx.writeAndFlush(ServerFrame.newBuilder().setRequestId(requestId).setHeartbeat(HeartbeatResponse.newBuilder()
                    .setLatestInboxSeq(session.latestInboxSeq()).setHeartbeatIntervalMs(services.settings().heartbeatIntervalMs())).build());
            case SEND -> forward(ctx, session, requestId, LogicRequest.newBuilder().setSend(frame.getSend()));
            case SYNC -> forward(ctx, session, requestId, LogicRequest.newBuilder().setSync(frame.getSync()));
            case CREATE_GROUP -> forward(ctx, session, requestId, LogicRequest.newBuilder().setCreateGroup(frame.getCreateGroup()));
            case AUTH -> ctx.writeAndFlush(Frames.error(requestId, ErrorCode.ALREADY_AUTHENTICATED, "this link is authenticated already", false));
            case BODY_NOT_SET -> ctx.writeAndFlush(Frames.error(requestId, ErrorCode.INVALID_REQUEST, "frame has no request body (unknown request kind?)", false));
        }
    }

    private void forward(ChannelHandlerContext ctx, ClientSession session, long requestId, LogicRequest.Builder request) {
        if (!session.tryBeginRequest(services.settings().inflightCountMax())) {
            ctx.writeAndFlush(Frames.error(requestId, ErrorCode.RATE_LIMITED,
                    "more than " + services.settings().inflightCountMax() + " requests in flight on this link", false));
            return;
        }
        request.setCaller(Sessions.caller(session, services.accessNode(), requestId));
        services.logic().call(request.build()).whenComplete((response, failure) -> {
            session.endRequest();
            ctx.writeAndFlush(failure == null ? reply(session, requestId, response) : Frames.error(requestId, RpcException.of(failure).error()));
        });
    }

    private static ServerFrame reply(ClientSession session, long requestId, LogicResponse response) {
        ServerFrame.Builder frame = ServerFrame.newBuilder().setRequestId(requestId);
        switch (response.getBodyCase()) {
            case SEND_ACK -> {
                session.inboxAdvanced(response.getSendAck().getSeq());
                frame.setSendAck(response.getSendAck());
            }
            case SYNC -> {
                response.getSync().getNewKey().getPositionsList().forEach(position -> session.inboxAdvanced(position.getSeq()));
                frame.setSync(response.getSync());
            }
            case GROUP_CREATED -> frame.setGroupCreated(response.getGroupCreated());
            default -> frame.setError(io.synkit.protocol.client.Error.newBuilder().setCode(ErrorCode.INTERNAL)
                    .setMessage("logic answered with " + response.getBodyCase()));
        }
        return frame.build();
    }
}

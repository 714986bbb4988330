package io.synkit.logic.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.synkit.logic.device.DevicePath;
import io.synkit.logic.route.RoutePath;
import io.synkit.logic.group.GroupPath;
import io.synkit.logic.history.HistoryPath;
import io.synkit.logic.readstate.ReadStatePath;
import io.synkit.logic.send.SendPath;
import io.synkit.logic.sync.SyncPath;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.protocol.rpc.RpcPayloads;
import java.util.concurrent.CompletionStage;

/** The logic node's RPC face for access nodes: checks the caller, then routes to a path. */
public final class LogicService implements RpcHandler {

    private final SendPath send;
    private final SyncPath sync;
    private final RoutePath route;
    private final GroupPath groups;
    private final HistoryPath history;
    private final ReadStatePath readState;
    private final DevicePath devices;
    private final RequestOutcomes outcomes;

    public LogicService(SendPath send, SyncPath sync, RoutePath route, GroupPath groups, HistoryPath history, ReadStatePath readState,
                        DevicePath devices, RequestOutcomes outcomes) {
        this.send = send;
        this.sync = sync;
        this.route = route;
        this.groups = groups;
        this.history = history;
        this.readState = readState;
        this.devices = devices;
        this.outcomes = outcomes;
    }

    @Override
    public CompletionStage<? extends MessageLite> handle(ByteString payload, long timeoutMs) {
        LogicRequest request = RpcPayloads.parse(LogicRequest.parser(), payload, "logic request");
        Caller caller = request.getCaller();
        if (caller.getUserId() <= 0 || caller.getDeviceId().isEmpty() || caller.getAccessNode().isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "logic request needs a caller with user_id, device_id and access_node");
        }
        return outcomes.record(caller, request.getBodyCase(), switch (request.getBodyCase()) {
            case SEND -> send.send(caller, request.getSend()).thenApply(ack -> LogicResponse.newBuilder().setSendAck(ack).build());
            case SYNC -> sync.sync(caller, request.getSync()).thenApply(page -> LogicResponse.newBuilder().setSync(page).build());
            case ROUTE -> route.update(caller, request.getRoute()).thenApply(done -> LogicResponse.newBuilder().setRoute(done).build());
            case CREATE_GROUP -> groups.create(caller, request.getCreateGroup())
                    .thenApply(created -> LogicResponse.newBuilder().setGroupCreated(created).build());
            case CHANGE_GROUP -> groups.change(caller, request.getChangeGroup())
                    .thenApply(changed -> LogicResponse.newBuilder().setGroupChanged(changed).build());
            case HISTORY -> history.history(caller, request.getHistory()).thenApply(page -> LogicResponse.newBuilder().setHistory(page).build());
            case MARK_READ -> readState.markRead(caller, request.getMarkRead())
                    .thenApply(marked -> LogicResponse.newBuilder().setReadMarked(marked).build());
            case CONVERSATION_LIST -> readState.conversations(caller, request.getConversationList())
                    .thenApply(list -> LogicResponse.newBuilder().setConversationList(list).build());
            // Devices and sessions (DevicePath).
            case LOGIN -> devices.login(caller, request.getLogin()).thenApply(done -> LogicResponse.newBuilder().setLogin(done).build());
            case LIST_DEVICES -> devices.list(caller).thenApply(list -> LogicResponse.newBuilder().setDevices(list).build());
            case LOGOUT -> devices.logout(caller, request.getLogout()).thenApply(done -> LogicResponse.newBuilder().setLogout(done).build());
            case REFRESH -> devices.refresh(caller, request.getRefresh()).thenApply(done -> LogicResponse.newBuilder().setRefreshed(done).build());
            case BODY_NOT_SET -> throw new RpcException(ErrorCode.INVALID_REQUEST, "logic request has no body");
        });
    }
}

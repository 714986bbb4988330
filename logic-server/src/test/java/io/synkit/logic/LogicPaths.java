package io.synkit.logic;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synkit.logic.group.ConversationMembers;
import io.synkit.logic.group.GroupPath;
import io.synkit.logic.history.HistoryPath;
import io.synkit.logic.readstate.ReadStatePath;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationListRequest;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.GroupChanged;
import io.synkit.protocol.client.HistoryRequest;
import io.synkit.protocol.client.HistoryResponse;
import io.synkit.protocol.client.MarkReadRequest;
import io.synkit.protocol.client.ReadMarked;
import io.synkit.logic.notify.Notifier;
import io.synkit.logic.outbox.OutboxCompletions;
import io.synkit.logic.send.Fanout;
import io.synkit.logic.send.SendPath;
import io.synkit.logic.store.InProcessStores;
import io.synkit.logic.sync.SyncPath;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.logic.send.Delivery;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.ReadInboxRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The logic paths wired as {@code LogicServer} wires them, over {@link InProcessStores}. Devices
 * register no routes here, so the notifier has no access node to call.
 */
public final class LogicPaths implements AutoCloseable {

    public static final int BODY_BYTES_MAX = 64 * 1024;
    public static final int SYNC_OPS_DEFAULT = 5;
    public static final int SYNC_OPS_MAX = 8;
    public static final int GROUP_MEMBERS_MAX = 10;
    public static final int GROUP_CHANGE_USERS_MAX = 4;
    public static final int HISTORY_ENTRIES_MAX = 6;
    public static final int CONVERSATIONS_MAX = 5;
    public static final int OUTBOX_DONE_BATCH_ENTRIES_MAX = 16;

    public final InProcessStores stores;
    public final ConversationMembers members;
    public final Fanout fanout;
    public final Delivery delivery;
    /** Flushed only when a test calls {@link OutboxCompletions#flush()}, or when a SET's batch is full. */
    public final OutboxCompletions completions;
    public final SendPath send;
    public final GroupPath groups;
    public final SyncPath sync;
    public final HistoryPath history;
    public final ReadStatePath readState;
    private final RpcClientPool accessNodes = new RpcClientPool(null, FrameLimits.internal(), 1);
    private final boolean ownsStores;

    public final int writeDiffusionMembersMax;

    public LogicPaths(Path dir, int setCount, Clock clock) {
        this(new InProcessStores(dir, setCount, clock), true, GROUP_MEMBERS_MAX);
    }

    /** Groups of more than {@code writeDiffusionMembersMax} members are read from their logs (read diffusion). */
    public LogicPaths(Path dir, int setCount, Clock clock, int writeDiffusionMembersMax) {
        this(new InProcessStores(dir, setCount, clock), true, writeDiffusionMembersMax);
    }

    /** Another logic node over the same stores (its own caches), as a cluster runs several; closing it leaves the stores open. */
    public LogicPaths(LogicPaths other) {
        this(other.stores, false, other.writeDiffusionMembersMax);
    }

    private LogicPaths(InProcessStores stores, boolean ownsStores, int writeDiffusionMembersMax) {
        this.stores = stores;
        this.ownsStores = ownsStores;
        this.writeDiffusionMembersMax = writeDiffusionMembersMax;
        members = new ConversationMembers(stores);
        Notifier notifier = new Notifier(accessNodes, new SimpleMeterRegistry());
        fanout = new Fanout(stores, notifier, members);
        delivery = new Delivery(stores, fanout, members, notifier);
        completions = new OutboxCompletions(stores, OUTBOX_DONE_BATCH_ENTRIES_MAX, new SimpleMeterRegistry());
        send = new SendPath(stores, delivery, completions, BODY_BYTES_MAX);
        groups = new GroupPath(stores, members, fanout, delivery, GROUP_MEMBERS_MAX, GROUP_CHANGE_USERS_MAX, writeDiffusionMembersMax);
        sync = new SyncPath(stores, SYNC_OPS_DEFAULT, SYNC_OPS_MAX);
        history = new HistoryPath(stores, HISTORY_ENTRIES_MAX);
        readState = new ReadStatePath(stores, notifier, CONVERSATIONS_MAX);
    }

    public LogicPaths(Path dir, int setCount) {
        this(dir, setCount, Clock.SYSTEM);
    }

    public static Caller caller(long userId) {
        return Caller.newBuilder().setUserId(userId).setDeviceId("phone-" + userId).setAccessNode("access:1").setConnId(userId).build();
    }

    public static SendRequest text(String convId, String clientMsgId, String text) {
        return SendRequest.newBuilder().setConvId(convId).setClientMsgId(clientMsgId).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8(text)).build();
    }

    public SendAck send(long userId, String convId, String clientMsgId, String text) {
        return answer(() -> send.send(caller(userId), text(convId, clientMsgId, text)));
    }

    public GroupCreated createGroup(long creator, String name, List<Long> others) {
        return answer(() -> groups.create(caller(creator), CreateGroupRequest.newBuilder().setName(name).addAllMemberUserIds(others).build()));
    }

    /** The messages in a user's inbox, in seq order (read from the store, not through sync). */
    public List<MessageOp> inbox(long userId) {
        return ops(userId).stream().filter(Op::hasMessage).map(Op::getMessage).toList();
    }

    /** Every op in a user's inbox, in seq order (read from the store, not through sync). */
    public List<Op> ops(long userId) {
        StoreRequest read = StoreRequest.newBuilder().setReadInbox(ReadInboxRequest.newBuilder().setUserId(userId)).build();
        return stores.forUser(userId, read).join().getReadInbox().getOpsList();
    }

    /** The conversation entries (messages and membership changes) in a user's inbox, in seq order. */
    public List<MessageOp> entries(long userId) {
        return ops(userId).stream().filter(op -> op.hasMessage() || op.hasGroupChange())
                .map(op -> op.hasMessage() ? op.getMessage() : op.getGroupChange()).toList();
    }

    public GroupChanged change(long actor, String convId, String clientMsgId, GroupChangeKind kind, List<Long> users) {
        return answer(() -> groups.change(caller(actor), ChangeGroupRequest.newBuilder().setConvId(convId).setClientMsgId(clientMsgId).setKind(kind)
                .addAllUserIds(users).build()));
    }

    public HistoryResponse history(long userId, String convId, long beforeConvSeq, int limit) {
        return answer(() -> history.history(caller(userId), HistoryRequest.newBuilder().setConvId(convId).setBeforeConvSeq(beforeConvSeq)
                .setLimit(limit).build()));
    }

    public ReadMarked markRead(long userId, String convId, long readUpToConvSeq) {
        return answer(() -> readState.markRead(caller(userId), MarkReadRequest.newBuilder().setConvId(convId).setReadUpToConvSeq(readUpToConvSeq)
                .build()));
    }

    public ConversationList conversations(long userId, long beforeSeq, int limit) {
        return answer(() -> readState.conversations(caller(userId), ConversationListRequest.newBuilder().setBeforeSeq(beforeSeq).setLimit(limit)
                .build()));
    }

    /**
     * The answer of a path's call, whether the path refused at once or its future failed;
     * a refusal throws its {@link RpcException}.
     */
    public static <T> T answer(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get().join();
        } catch (CompletionException e) {
            throw RpcException.of(e);
        }
    }

    @Override
    public void close() {
        accessNodes.close();
        if (ownsStores) {
            stores.close();
        }
    }
}

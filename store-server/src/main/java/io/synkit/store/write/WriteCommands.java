package io.synkit.store.write;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.conv.ClientMsgId;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.AddMembershipResponse;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.AppendInboxResponse;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.OutboxDoneRequest;
import io.synkit.protocol.internal.OutboxDoneResponse;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.CreateGroupStoreResponse;
import io.synkit.protocol.internal.GroupRecord;
import io.synkit.protocol.internal.PutRouteRequest;
import io.synkit.protocol.internal.PutSlotMapRequest;
import io.synkit.protocol.internal.PutSlotMapResponse;
import io.synkit.protocol.internal.SlotMapRecord;
import io.synkit.protocol.internal.PutRouteResponse;
import io.synkit.protocol.internal.RemoveRouteRequest;
import io.synkit.protocol.internal.RemoveRouteResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.read.RouteReader;
import java.util.List;

/**
 * What each write command does to the store. Every command validates its whole input before its
 * first write, so a rejected command leaves nothing in the batch. Seqs are assigned here, from
 * the committed heads plus the batch's own writes, so they are dense and strictly increasing.
 */
final class WriteCommands {

    /** The store's own bound on a group; logic enforces the configured, smaller one. */
    static final int GROUP_MEMBERS_MAX = 10_000;
    /** A membership record is a marker: its presence is the whole record. */
    private static final byte[] MEMBERSHIP_PRESENT = new byte[0];

    private final StoreEngine engine;
    private final RouteReader routes;
    private final Clock clock;
    private final ConversationHeads heads;
    private final InboxHeads inboxes;

    /**
     * @param memory what the writer remembers of the state its batches leave; whoever owns it
     *               makes it forget when that is not what the store holds
     */
    WriteCommands(StoreEngine engine, Clock clock, WriterMemory memory) {
        this.engine = engine;
        this.routes = new RouteReader(engine);
        this.clock = clock;
        this.heads = memory.conversations;
        this.inboxes = memory.inboxes;
    }

    StoreResponse apply(BatchView view, StoreRequest request) {
        return switch (request.getBodyCase()) {
            case APPEND_CONV -> StoreResponse.newBuilder().setAppendConv(appendConv(view, request.getAppendConv())).build();
            case APPEND_INBOX -> StoreResponse.newBuilder().setAppendInbox(appendInbox(view, request.getAppendInbox())).build();
            case PUT_ROUTE -> StoreResponse.newBuilder().setPutRoute(putRoute(view, request.getPutRoute())).build();
            case REMOVE_ROUTE -> StoreResponse.newBuilder().setRemoveRoute(removeRoute(view, request.getRemoveRoute())).build();
            case OUTBOX_DONE -> StoreResponse.newBuilder().setOutboxDone(outboxDone(view, request.getOutboxDone())).build();
            case PUT_SLOT_MAP -> StoreResponse.newBuilder().setPutSlotMap(putSlotMap(view, request.getPutSlotMap())).build();
            case CREATE_GROUP -> StoreResponse.newBuilder().setCreateGroup(createGroup(view, request.getCreateGroup())).build();
            case ADD_MEMBERSHIP -> StoreResponse.newBuilder().setAddMembership(addMembership(view, request.getAddMembership())).build();
            default -> throw new RpcException(ErrorCode.INVALID_REQUEST, "not a write command: " + request.getBodyCase());
        };
    }

    /** Stores a group's members once; the same members again is a retry, other members a conflict. */
    private CreateGroupStoreResponse createGroup(BatchView view, CreateGroupStoreRequest request) {
        ConversationId conv = conversation(request.getConvId());
        if (!conv.isGroup()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, request.getConvId() + " is not a group conversation id");
        }
        List<Long> members = request.getMemberUserIdsList();
        if (members.size() < 2 || members.size() > GROUP_MEMBERS_MAX) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a group has 2.." + GROUP_MEMBERS_MAX + " members, got " + members.size());
        }
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i) <= 0 || (i > 0 && members.get(i) <= members.get(i - 1))) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "group members must be positive user ids in ascending order without repeats");
            }
        }
        if (!members.contains(conv.lowUserId())) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "the creator " + conv.lowUserId() + " must be a member of " + conv);
        }
        List<Long> existing = groupMembersOrEmpty(view, conv);
        if (!existing.isEmpty()) {
            if (!existing.equals(members)) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "group " + conv + " exists with other members");
            }
            return CreateGroupStoreResponse.newBuilder().addAllMemberUserIds(existing).setCreated(false).build();
        }
        view.put(Column.META, StoreKeys.group(conv.value()), GroupRecord.newBuilder().addAllMemberUserIds(members).build().toByteArray());
        return CreateGroupStoreResponse.newBuilder().addAllMemberUserIds(members).setCreated(true).build();
    }

    private List<Long> groupMembers(BatchView view, ConversationId conv) {
        List<Long> members = groupMembersOrEmpty(view, conv);
        if (members.isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "no group " + conv + " (create it first)");
        }
        return members;
    }

    private static List<Long> groupMembersOrEmpty(BatchView view, ConversationId conv) {
        return StoreKeys.groupMembersOf(view.get(Column.META, StoreKeys.group(conv.value())), conv.value());
    }

    /** Compare-and-set of the slot map (meta SET): versions only move forward, one writer wins. */
    private PutSlotMapResponse putSlotMap(BatchView view, PutSlotMapRequest request) {
        SlotMap next;
        try {
            next = SlotMap.fromRecord(request.getMap());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "slot map rejected: " + e.getMessage());
        }
        byte[] stored = view.get(Column.META, StoreKeys.slotMap());
        long currentVersion = 0;
        if (stored != null) {
            try {
                currentVersion = SlotMapRecord.parseFrom(stored).getVersion();
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("corrupt store: the stored slot map does not parse", e);
            }
        }
        if (request.getExpectedVersion() != currentVersion) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "slot map is at version " + currentVersion + ", not the expected "
                    + request.getExpectedVersion() + ": read it again and reapply the change");
        }
        if (next.version() <= currentVersion) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "slot map version " + next.version() + " must be greater than the current " + currentVersion);
        }
        view.put(Column.META, StoreKeys.slotMap(), request.getMap().toByteArray());
        return PutSlotMapResponse.newBuilder().setMap(request.getMap()).build();
    }

    private AppendConvResponse appendConv(BatchView view, AppendConvRequest request) {
        MessageOp message = request.getMessage();
        ConversationId conv = conversation(message.getConvId());
        if (!(conv.isGroup() ? groupMembers(view, conv).contains(message.getSenderUserId()) : conv.hasMember(message.getSenderUserId()))) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + message.getSenderUserId() + " is not a member of " + conv);
        }
        checkClientMsgId(message.getClientMsgId());
        byte[] dedupKey = StoreKeys.sendDedup(message.getSenderUserId(), conv.value(), message.getClientMsgId());
        byte[] original = view.get(Column.DEDUP, dedupKey);
        if (original != null) {
            return AppendConvResponse.newBuilder().setMessage(parseMessage(view.get(Column.CONV, original), conv, "the original of a retried send"))
                    .setDuplicate(true).build();
        }
        ConversationHeads.Head head = head(view, conv);
        long convSeq = head.convSeq() + 1;
        long nowMs = clock.nowMs();
        // A primary's wall clock may step back (NTP, or a failover to a replica whose clock is
        // behind): the entry keeps its predecessor's time then, so times never go backwards in
        // a conversation.
        long serverTimeMs = Math.max(nowMs, head.serverTimeMs());
        MessageOp committed = message.toBuilder().setConvSeq(convSeq).setServerTimeMs(serverTimeMs).build();
        byte[] entryKey = StoreKeys.convEntry(conv.value(), convSeq);
        view.put(Column.CONV, entryKey, committed.toByteArray());
        view.putLong(Column.META, StoreKeys.convHead(conv.value()), convSeq);
        view.put(Column.DEDUP, dedupKey, entryKey);
        view.putLong(Column.OUTBOX, StoreKeys.outbox(conv.value(), convSeq), nowMs);
        heads.appended(conv.value(), convSeq, serverTimeMs);
        return AppendConvResponse.newBuilder().setMessage(committed).build();
    }

    /**
     * The conversation's newest entry: from the writer's memory, or else from its head key and
     * that entry ({@code 0, 0} for an empty conversation).
     */
    private ConversationHeads.Head head(BatchView view, ConversationId conv) {
        ConversationHeads.Head remembered = heads.get(conv.value());
        if (remembered != null) {
            return remembered;
        }
        long convSeq = view.getLong(Column.META, StoreKeys.convHead(conv.value()), 0);
        return new ConversationHeads.Head(convSeq, convSeq == 0 ? 0 : entry(view, conv, convSeq).getServerTimeMs());
    }

    private AppendInboxResponse appendInbox(BatchView view, AppendInboxRequest request) {
        long userId = request.getUserId();
        MessageOp message = request.getMessage();
        ConversationId conv = conversation(message.getConvId());
        if (message.getConvSeq() <= 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "append_inbox needs a committed conv_seq, got " + message.getConvSeq());
        }
        checkInboxMember(view, userId, conv);
        AppendInboxResponse.Builder response = AppendInboxResponse.newBuilder();
        byte[] cursorKey = StoreKeys.convCursor(userId, conv.value());
        long cursor = inboxes.cursor(userId, conv.value());
        long nextConvSeq = (cursor >= 0 ? cursor : view.getLong(Column.META, cursorKey, 0)) + 1;
        // The inbox holds a conversation's entries 1..cursor and has a dedup record for exactly
        // those (each entry's record and the cursor are written together, in conv_seq order), so
        // only an entry at or below the cursor can be a retry: the next one needs no dedup read.
        byte[] dedupKey = StoreKeys.fanoutDedup(userId, conv.value(), message.getConvSeq());
        if (message.getConvSeq() < nextConvSeq) {
            long existingSeq = view.getLong(Column.DEDUP, dedupKey, 0);
            if (existingSeq <= 0) {
                throw new IllegalStateException("corrupt store: user " + userId + " conv " + conv + " cursor at "
                        + (nextConvSeq - 1) + " but no dedup record for conv_seq " + message.getConvSeq());
            }
            return response.setSeq(existingSeq).setDuplicate(true).build();
        }
        if (message.getConvSeq() > nextConvSeq) {
            return response.setGap(true).setNextConvSeq(nextConvSeq).build(); // the caller fans out the missing entries first
        }
        byte[] headKey = StoreKeys.inboxHead(userId);
        long head = inboxes.head(userId);
        long seq = (head >= 0 ? head : view.getLong(Column.META, headKey, 0)) + 1;
        Op op = Op.newBuilder().setSeq(seq).setMessage(message).build();
        view.put(Column.INBOX, StoreKeys.inboxEntry(userId, seq), op.toByteArray());
        view.putLong(Column.META, headKey, seq);
        view.putLong(Column.META, cursorKey, message.getConvSeq());
        view.putLong(Column.DEDUP, dedupKey, seq);
        inboxes.appended(userId, conv.value(), message.getConvSeq(), seq);
        return response.setSeq(seq).addAllRoutes(routes.routesOf(userId)).build();
    }

    /**
     * An inbox takes an entry only for a member of the entry's own conversation, whoever fans it
     * out: a 1:1 conversation's members are in its id; a group's record lives in its home SET,
     * perhaps another one, so this SET checks the membership record the group's creation wrote
     * here first (see {@link #addMembership}).
     */
    private static void checkInboxMember(BatchView view, long userId, ConversationId conv) {
        if (conv.isGroup() ? view.get(Column.META, StoreKeys.membership(userId, conv.value())) == null : !conv.hasMember(userId)) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of " + conv
                    + (conv.isGroup() ? " (no membership record in the user's SET)" : ""));
        }
    }

    /**
     * Records that a user is a member of a group, in the user's own SET. Group creation writes it
     * to every member's SET before the group record, so a crash in between leaves only records
     * that nothing fans out to (fan-out reads the members from the group record), and the
     * creator's retry completes the group. An existing record is kept as it is.
     */
    private AddMembershipResponse addMembership(BatchView view, AddMembershipRequest request) {
        ConversationId conv = conversation(request.getConvId());
        if (!conv.isGroup()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, request.getConvId() + " is not a group: a 1:1 conversation's members are in its id");
        }
        if (request.getUserId() <= 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "add_membership needs user_id > 0, got " + request.getUserId());
        }
        byte[] key = StoreKeys.membership(request.getUserId(), conv.value());
        if (view.get(Column.META, key) != null) {
            return AddMembershipResponse.newBuilder().setAdded(false).build();
        }
        view.put(Column.META, key, MEMBERSHIP_PRESENT);
        return AddMembershipResponse.newBuilder().setAdded(true).build();
    }

    private PutRouteResponse putRoute(BatchView view, PutRouteRequest request) {
        DeviceRoute route = checkRoute(request.getUserId(), request.getRoute());
        view.put(Column.ROUTES, StoreKeys.route(request.getUserId(), route.getDeviceId()), route.toByteArray());
        return PutRouteResponse.newBuilder().setInboxHeadSeq(view.getLong(Column.META, StoreKeys.inboxHead(request.getUserId()), 0)).build();
    }

    private RemoveRouteResponse removeRoute(BatchView view, RemoveRouteRequest request) {
        DeviceRoute route = checkRoute(request.getUserId(), request.getRoute());
        byte[] key = StoreKeys.route(request.getUserId(), route.getDeviceId());
        byte[] current = view.get(Column.ROUTES, key);
        // Only the connection that owns the route removes it: a device that already reconnected
        // elsewhere keeps its new route when the old connection's close arrives late.
        if (current == null || !RouteReader.parse(current).equals(route)) {
            return RemoveRouteResponse.newBuilder().setRemoved(false).build();
        }
        view.delete(Column.ROUTES, key);
        return RemoveRouteResponse.newBuilder().setRemoved(true).build();
    }

    private OutboxDoneResponse outboxDone(BatchView view, OutboxDoneRequest request) {
        conversation(request.getConvId());
        view.delete(Column.OUTBOX, StoreKeys.outbox(request.getConvId(), request.getConvSeq()));
        return OutboxDoneResponse.getDefaultInstance();
    }

    private static DeviceRoute checkRoute(long userId, DeviceRoute route) {
        if (userId <= 0 || route.getDeviceId().isEmpty() || route.getAccessNode().isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "route needs user_id > 0, device_id and access_node");
        }
        return route;
    }

    static ConversationId conversation(String convId) {
        try {
            return ConversationId.parse(convId);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
    }

    private static void checkClientMsgId(String clientMsgId) {
        try {
            ClientMsgId.check(clientMsgId);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
    }

    /** Entry {@code convSeq} of a conversation, which must exist (at or below the head). */
    private static MessageOp entry(BatchView view, ConversationId conv, long convSeq) {
        return parseMessage(view.get(Column.CONV, StoreKeys.convEntry(conv.value(), convSeq)), conv, "conv_seq " + convSeq);
    }

    private static MessageOp parseMessage(byte[] bytes, ConversationId conv, String which) {
        if (bytes == null) {
            throw new IllegalStateException("corrupt store: conversation " + conv + " misses the entry of " + which);
        }
        try {
            return MessageOp.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: the entry of " + which + " in " + conv + " does not parse: " + e.getMessage(), e);
        }
    }
}

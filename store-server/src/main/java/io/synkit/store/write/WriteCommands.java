package io.synkit.store.write;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.client.ConvStreamOp;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.conv.ClientMsgId;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.AppendInboxResponse;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.OutboxDoneBatchRequest;
import io.synkit.protocol.internal.OutboxDoneBatchResponse;
import io.synkit.protocol.internal.OutboxDoneRequest;
import io.synkit.protocol.internal.OutboxDoneResponse;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.CreateGroupStoreResponse;
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
import io.synkit.store.engine.GroupRosterCache;
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
    /** Outbox marks one {@code OutboxDoneBatch} clears at most (logic sends fewer: {@code logic.outbox.done.batch.entries.max}). */
    static final int OUTBOX_DONE_BATCH_ENTRIES_MAX = 4_096;
    private final StoreEngine engine;
    private final ReadMarks readMarks;
    private final GroupRosterCache rosters = new GroupRosterCache();
    private final Clock clock;
    private final DeviceCommands devices;
    private final ConversationHeads heads;
    private final InboxHeads inboxes;

    /**
     * @param memory what the writer remembers of the state its batches leave; whoever owns it
     *               makes it forget when that is not what the store holds
     */
    WriteCommands(StoreEngine engine, Clock clock, WriterMemory memory) {
        this.engine = engine;
        this.readMarks = new ReadMarks(memory.inboxes);
        this.clock = clock;
        this.devices = new DeviceCommands(clock);
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
            case OUTBOX_DONE_BATCH -> StoreResponse.newBuilder().setOutboxDoneBatch(outboxDoneBatch(view, request.getOutboxDoneBatch())).build();
            case PUT_SLOT_MAP -> StoreResponse.newBuilder().setPutSlotMap(putSlotMap(view, request.getPutSlotMap())).build();
            case CREATE_GROUP -> StoreResponse.newBuilder().setCreateGroup(createGroup(view, request.getCreateGroup())).build();
            case ADD_MEMBERSHIP -> StoreResponse.newBuilder().setAddMembership(Memberships.add(view, request.getAddMembership(), inboxes)).build();
            case MARK_READ -> StoreResponse.newBuilder().setMarkRead(readMarks.markRead(view, request.getMarkRead())).build();
            // Devices and sessions (DeviceCommands).
            case LOGIN_DEVICE -> StoreResponse.newBuilder().setLoginDevice(devices.login(view, request.getLoginDevice())).build();
            case LOGOUT_DEVICES -> StoreResponse.newBuilder().setLogoutDevices(devices.logout(view, request.getLogoutDevices())).build();
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
        GroupRoster existing = rosterOrEmpty(view, conv);
        if (existing.exists()) {
            if (!existing.current().equals(members)) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "group " + conv + " exists with other members");
            }
            return CreateGroupStoreResponse.newBuilder().addAllMemberUserIds(existing.current()).setCreated(false).build();
        }
        // A group created large is read by its log from its first entry on.
        GroupRoster created = GroupRoster.created(conv.lowUserId(), members, request.getShowEarlierHistory())
                .readDiffusedFrom(1, request.getWriteDiffusionMembersMax());
        view.put(Column.META, StoreKeys.group(conv.value()), created.record().toByteArray());
        return CreateGroupStoreResponse.newBuilder().addAllMemberUserIds(members).setCreated(true).build();
    }

    private GroupRoster roster(BatchView view, ConversationId conv) {
        GroupRoster roster = rosterOrEmpty(view, conv);
        if (!roster.exists()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "no group " + conv + " (create it first)");
        }
        return roster;
    }

    private GroupRoster rosterOrEmpty(BatchView view, ConversationId conv) {
        return rosters.of(view.get(Column.META, StoreKeys.group(conv.value())), conv);
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
        GroupRoster roster = conv.isGroup() ? roster(view, conv) : null;
        checkClientMsgId(message.getClientMsgId());
        byte[] dedupKey = StoreKeys.sendDedup(message.getSenderUserId(), conv.value(), message.getClientMsgId());
        byte[] original = view.get(Column.DEDUP, dedupKey);
        if (original != null) {
            // The sender's own committed entry, answered even if the sender has left the group
            // since (a leave whose answer was lost, retried): it reveals nothing the sender lacks.
            return AppendConvResponse.newBuilder().setMessage(parseMessage(view.get(Column.CONV, original), conv, "the original of a retried send"))
                    .setDuplicate(true).setMembersVersion(roster == null ? 0 : roster.version())
                    .setReadDiffusionFromConvSeq(roster == null ? 0 : roster.readDiffusionFrom()).build();
        }
        if (!(conv.isGroup() ? roster.current().contains(message.getSenderUserId()) : conv.hasMember(message.getSenderUserId()))) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + message.getSenderUserId() + " is not a member of " + conv);
        }
        ConversationHeads.Head head = head(view, conv);
        long convSeq = head.convSeq() + 1;
        if (message.hasGroupChange()) {
            if (roster == null) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, conv + " is not a group: its members cannot change");
            }
            // The change is an entry like a message, in the same order; the record changes in the same batch.
            int membersMax = request.getGroupMembersMax() == 0 ? GROUP_MEMBERS_MAX : Math.min(request.getGroupMembersMax(), GROUP_MEMBERS_MAX);
            roster = roster.changed(message.getSenderUserId(), message.getGroupChange(), convSeq, membersMax)
                    .readDiffusedFrom(convSeq, request.getWriteDiffusionMembersMax());
            view.put(Column.META, StoreKeys.group(conv.value()), roster.record().toByteArray());
        }
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
        boolean readDiffused = roster != null && roster.isReadDiffused(convSeq);
        if (readDiffused) {
            // The sender's own entry moves the sender's read mark (protocol.md §15.3 rule 1); in a
            // group read by its log no inbox of the sender records that, so its home SET does.
            view.putLong(Column.META, StoreKeys.ownLast(conv.value(), message.getSenderUserId()), convSeq);
        }
        if (!readDiffused || message.hasGroupChange() || convSeq == roster.readDiffusionFrom()) {
            // Only entries that go to inboxes need the outbox: in a group read by its log a message
            // goes to none (O(1) writes), a change still starts added members' streams and the
            // switching entry every member's.
            view.putLong(Column.OUTBOX, StoreKeys.outbox(conv.value(), convSeq), nowMs);
        }
        heads.appended(conv.value(), convSeq, serverTimeMs);
        return AppendConvResponse.newBuilder().setMessage(committed).setMembersVersion(roster == null ? 0 : roster.version())
                .setReadDiffusionFromConvSeq(roster == null ? 0 : roster.readDiffusionFrom()).build();
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
        AppendInboxResponse.Builder response = AppendInboxResponse.newBuilder();
        byte[] cursorKey = StoreKeys.convCursor(userId, conv.value());
        long cursor = inboxes.cursor(userId, conv.value());
        long nextConvSeq = (cursor >= 0 ? cursor : view.getLong(Column.META, cursorKey, 0)) + 1;
        // Of the conversation's entries up to the cursor the inbox holds those of the user's stints,
        // each with its dedup record (an entry, its record and the cursor are written together, in
        // conv_seq order; a new stint moves the cursor past the entries before it), so only an entry
        // at or below the cursor can be a retry: the next one needs no dedup read.
        byte[] dedupKey = StoreKeys.fanoutDedup(userId, conv.value(), message.getConvSeq());
        if (message.getConvSeq() < nextConvSeq) {
            long existingSeq = view.getLong(Column.DEDUP, dedupKey, 0);
            if (existingSeq > 0) {
                // Already here (the membership was checked then): a retry reveals nothing new. It
                // answers the routes as the first attempt did: that answer may have been lost (a
                // timeout), and with it the only notify of the entry (issue 17, finding 2).
                return response.setSeq(existingSeq).setDuplicate(true).addAllRoutes(DeviceCommands.routesOf(view, userId)).build();
            }
        }
        Memberships.checkInboxTakes(view, userId, conv, message);
        if (message.getConvSeq() < nextConvSeq) {
            // An entry of the user's stint below the cursor without its dedup record: both are written together.
            throw new IllegalStateException("corrupt store: user " + userId + " conv " + conv + " cursor at "
                    + (nextConvSeq - 1) + " but no dedup record for conv_seq " + message.getConvSeq());
        }
        if (message.getConvSeq() > nextConvSeq) {
            return response.setGap(true).setNextConvSeq(nextConvSeq).build(); // the caller fans out the missing entries first
        }
        byte[] headKey = StoreKeys.inboxHead(userId);
        long head = inboxes.head(userId);
        long seq = (head >= 0 ? head : view.getLong(Column.META, headKey, 0)) + 1;
        Op.Builder op = Op.newBuilder().setSeq(seq);
        if (request.getStreamFrom()) {
            // From this entry on the user reads the group from its log: one pointer, not the entry.
            op.setConvStream(ConvStreamOp.newBuilder().setConvId(conv.value()).setFromConvSeq(message.getConvSeq()));
        } else if (message.hasGroupChange()) {
            op.setGroupChange(message); // its own op kind: a client that does not know it skips it
        } else {
            op.setMessage(message);
        }
        view.put(Column.INBOX, StoreKeys.inboxEntry(userId, seq), op.build().toByteArray());
        view.putLong(Column.META, headKey, seq);
        view.putLong(Column.META, cursorKey, message.getConvSeq());
        view.putLong(Column.DEDUP, dedupKey, seq);
        inboxes.appended(userId, conv.value(), message.getConvSeq(), seq);
        if (request.getStreamFrom()) {
            Memberships.streamStarted(view, userId, conv, message.getConvSeq());
            ReadMarks.streamStarted(view, userId, conv.value(), message.getConvSeq(), seq);
        } else {
            Memberships.entryTaken(view, userId, conv, message);
            ReadMarks.entryAppended(view, userId, message, seq);
        }
        return response.setSeq(seq).addAllRoutes(DeviceCommands.routesOf(view, userId)).build();
    }

    private PutRouteResponse putRoute(BatchView view, PutRouteRequest request) {
        DeviceRoute route = checkRoute(request.getUserId(), request.getRoute());
        DeviceCommands.checkNotOlder(request.getUserId(), DeviceCommands.currentRoute(view, request.getUserId(), route.getDeviceId()), route);
        view.put(Column.ROUTES, StoreKeys.route(request.getUserId(), route.getDeviceId()), route.toByteArray());
        return PutRouteResponse.newBuilder().setInboxHeadSeq(view.getLong(Column.META, StoreKeys.inboxHead(request.getUserId()), 0)).build();
    }

    private RemoveRouteResponse removeRoute(BatchView view, RemoveRouteRequest request) {
        DeviceRoute route = checkRoute(request.getUserId(), request.getRoute());
        byte[] key = StoreKeys.route(request.getUserId(), route.getDeviceId());
        byte[] current = view.get(Column.ROUTES, key);
        // Only the connection that owns the route removes it: a device that already reconnected
        // elsewhere keeps its new route when the old connection's close arrives late.
        if (current == null || !DeviceCommands.sameConnection(RouteReader.parse(current), route)) {
            return RemoveRouteResponse.newBuilder().setRemoved(false).build();
        }
        view.delete(Column.ROUTES, key);
        devices.linkEnded(view, request.getUserId(), route.getDeviceId());
        return RemoveRouteResponse.newBuilder().setRemoved(true).build();
    }

    private OutboxDoneResponse outboxDone(BatchView view, OutboxDoneRequest request) {
        conversation(request.getConvId());
        view.delete(Column.OUTBOX, StoreKeys.outbox(request.getConvId(), request.getConvSeq()));
        return OutboxDoneResponse.getDefaultInstance();
    }

    /** Clears many outbox marks in one command; checks every conversation id before the first delete. */
    private OutboxDoneBatchResponse outboxDoneBatch(BatchView view, OutboxDoneBatchRequest request) {
        if (request.getEntriesCount() > OUTBOX_DONE_BATCH_ENTRIES_MAX) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "an outbox done batch holds at most " + OUTBOX_DONE_BATCH_ENTRIES_MAX + " entries, got "
                    + request.getEntriesCount());
        }
        for (OutboxDoneRequest entry : request.getEntriesList()) {
            conversation(entry.getConvId());
        }
        for (OutboxDoneRequest entry : request.getEntriesList()) {
            view.delete(Column.OUTBOX, StoreKeys.outbox(entry.getConvId(), entry.getConvSeq()));
        }
        return OutboxDoneBatchResponse.getDefaultInstance();
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

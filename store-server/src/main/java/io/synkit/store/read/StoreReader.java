package io.synkit.store.read;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.internal.OutboxScanRequest;
import io.synkit.protocol.internal.ReadGroupRequest;
import io.synkit.protocol.internal.ReadGroupResponse;
import io.synkit.protocol.internal.OutboxScanResponse;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.ReadConvResponse;
import io.synkit.protocol.internal.ReadInboxRequest;
import io.synkit.protocol.internal.ReadInboxResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.GroupRosterCache;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.HistoryResponse;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import io.synkit.protocol.internal.ConversationState;
import io.synkit.protocol.internal.ReadConversationsRequest;
import io.synkit.protocol.internal.ReadHistoryRequest;
import io.synkit.protocol.sync.ConvPositions;
import io.synkit.protocol.sync.SyncPosition;
import io.synkit.protocol.internal.ReadRoutesRequest;
import io.synkit.protocol.internal.ReadRoutesResponse;
import io.synkit.protocol.internal.ReadStreamRequest;
import io.synkit.protocol.internal.ReadStreamResponse;
import io.synkit.protocol.internal.UserRoutes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Serves reads of committed state: inbox pages for sync, conversation log pages for fan-out
 * repair and history, and the outbox for background re-drive. Reads see only committed batches:
 * a batch reaches RocksDB only once it is committed, and a batch is written atomically.
 */
public final class StoreReader {

    private final StoreEngine engine;
    private final RouteReader routeReader;
    private final GroupRosterCache rosters = new GroupRosterCache();
    private final Clock clock;
    private final int readOpsMax;

    /**
     * Bytes of ops per page at most (at least one op is always returned): a page must fit in one
     * client frame (1 MiB by default) whatever the bodies' sizes.
     */
    public static final int PAGE_BYTES_MAX = 512 * 1024;

    /** Conversation states one conversation-list read visits at most (a user's conversations). */
    public static final int CONVERSATIONS_VISITED_MAX = 100_000;

    /** Outbox keys one scan looks at, at most (young entries are skipped but still cost a visit). */
    public static final int OUTBOX_KEYS_VISITED_MAX = 10_000;

    /** Users one routes read names at most (a SET's share of a large group). */
    public static final int ROUTES_USERS_MAX = 10_000;

    public StoreReader(StoreEngine engine, Clock clock, int readOpsMax) {
        this.engine = engine;
        this.routeReader = new RouteReader(engine);
        this.clock = clock;
        this.readOpsMax = readOpsMax;
    }

    public ReadInboxResponse readInbox(ReadInboxRequest request) {
        long userId = request.getUserId();
        if (userId <= 0 || request.getAfterSeq() < 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "read_inbox needs user_id > 0 and after_seq >= 0");
        }
        // Read the head first: ops up to it are committed, so the page below has no holes.
        long head = engine.getLong(Column.META, StoreKeys.inboxHead(userId), 0);
        long epoch = engine.getLong(Column.META, StoreKeys.inboxEpoch(userId), StoreKeys.TIMELINE_EPOCH_INITIAL);
        ReadInboxResponse.Builder response = ReadInboxResponse.newBuilder().setHeadSeq(head).setEpoch(epoch);
        int limit = pageLimit(request.getLimit());
        long expected = request.getAfterSeq() + 1;
        int pageBytes = 0;
        try (RocksIterator iterator = engine.iterator(Column.INBOX)) {
            for (iterator.seek(StoreKeys.inboxEntry(userId, expected)); iterator.isValid() && expected <= head
                    && response.getOpsCount() < limit; iterator.next(), expected++) {
                if (response.getOpsCount() > 0 && pageBytes + iterator.value().length > PAGE_BYTES_MAX) {
                    break;
                }
                pageBytes += iterator.value().length;
                Op op = parseOp(iterator.value());
                if (op.getSeq() != expected || !java.util.Arrays.equals(iterator.key(), StoreKeys.inboxEntry(userId, expected))) {
                    throw new IllegalStateException("corrupt store: user " + userId + " inbox expected seq " + expected + " found " + op.getSeq());
                }
                response.addOps(op);
            }
        }
        return response.build();
    }

    public ReadConvResponse readConv(ReadConvRequest request) {
        String convId = request.getConvId();
        ConversationId conv = conversation(convId);
        long head = engine.getLong(Column.META, StoreKeys.convHead(convId), 0);
        ReadConvResponse.Builder response = ReadConvResponse.newBuilder().setHeadConvSeq(head);
        int limit = pageLimit(request.getLimit());
        int pageBytes = 0;
        for (long convSeq = Math.max(1, request.getFromConvSeq()); convSeq <= head && response.getMessagesCount() < limit; convSeq++) {
            byte[] entry = engine.get(Column.CONV, StoreKeys.convEntry(convId, convSeq));
            if (entry == null) {
                throw new IllegalStateException("corrupt store: conv " + convId + " misses conv_seq " + convSeq + " below head " + head);
            }
            if (response.getMessagesCount() > 0 && pageBytes + entry.length > PAGE_BYTES_MAX) {
                break;
            }
            pageBytes += entry.length;
            response.addMessages(parseMessage(entry));
        }
        if (conv.isGroup()) {
            // Read after the head: a switch to read diffusion is written with the entry it happens at.
            response.setReadDiffusionFromConvSeq(rosters.of(engine.get(Column.META, StoreKeys.group(convId)), conv).readDiffusionFrom());
        }
        return response.build();
    }

    /** The group's record and members; none when there is no such group. */
    public ReadGroupResponse readGroup(ReadGroupRequest request) {
        ConversationId conv = conversation(request.getConvId());
        // The head first: the record read after it reflects every change up to the head.
        long head = engine.getLong(Column.META, StoreKeys.convHead(conv.value()), 0);
        GroupRoster roster = rosters.of(engine.get(Column.META, StoreKeys.group(conv.value())), conv);
        return ReadGroupResponse.newBuilder().addAllMemberUserIds(roster.current()).setRecord(roster.record()).setHeadConvSeq(head).build();
    }

    /**
     * Entries of a conversation the user may read, newest first, below {@code before_conv_seq}: a
     * 1:1 conversation's two users the whole log; a group's members from their join (or from 1 if
     * the group shows earlier history) up to their departure, if they left. The check and the read
     * are here, at the home SET, next to the group record they depend on.
     */
    public HistoryResponse readHistory(ReadHistoryRequest request) {
        ConversationId conv = conversation(request.getConvId());
        long userId = request.getUserId();
        long head = engine.getLong(Column.META, StoreKeys.convHead(conv.value()), 0);
        long from;
        long to;
        if (conv.isGroup()) {
            GroupRoster roster = rosters.of(engine.get(Column.META, StoreKeys.group(conv.value())), conv);
            if (!roster.exists()) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "no group " + conv);
            }
            from = roster.visibleFrom(userId);
            to = Math.min(head, roster.visibleTo(userId, head));
        } else {
            if (!conv.hasMember(userId)) {
                throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of " + conv);
            }
            from = 1;
            to = head;
        }
        long before = request.getBeforeConvSeq() == 0 ? to + 1 : Math.min(request.getBeforeConvSeq(), to + 1);
        HistoryResponse.Builder response = HistoryResponse.newBuilder().setVisibleFromConvSeq(from);
        int limit = pageLimit(request.getLimit());
        int pageBytes = 0;
        long convSeq = before - 1;
        for (; convSeq >= from && response.getEntriesCount() < limit; convSeq--) {
            byte[] entry = engine.get(Column.CONV, StoreKeys.convEntry(conv.value(), convSeq));
            if (entry == null) {
                throw new IllegalStateException("corrupt store: conv " + conv + " misses conv_seq " + convSeq + " below head " + head);
            }
            if (response.getEntriesCount() > 0 && pageBytes + entry.length > PAGE_BYTES_MAX) {
                break;
            }
            pageBytes += entry.length;
            response.addEntries(parseMessage(entry));
        }
        return response.setHasMore(convSeq >= from).build();
    }

    /**
     * A member's entries of a group read from its log, after {@code after_conv_seq}: only inside
     * the user's stint as the group record holds it (from the later of the join and the switch to
     * read diffusion, up to the departure), checked here where the entries and the record are.
     * A user without such a stint gets nothing and {@code ended}.
     */
    public ReadStreamResponse readStream(ReadStreamRequest request) {
        ConversationId conv = conversation(request.getConvId());
        long userId = request.getUserId();
        if (userId <= 0 || !conv.isGroup()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "read_stream needs user_id > 0 and a group, got " + userId + " " + conv);
        }
        // The head first: the record read after it reflects every change up to the head.
        long head = engine.getLong(Column.META, StoreKeys.convHead(conv.value()), 0);
        GroupRoster roster = rosters.of(engine.get(Column.META, StoreKeys.group(conv.value())), conv);
        ReadStreamResponse.Builder response = ReadStreamResponse.newBuilder();
        var stint = roster.stintOf(userId);
        if (roster.readDiffusionFrom() == 0 || stint.isEmpty()) {
            return response.setEnded(true).build();
        }
        long from = Math.max(roster.readDiffusionFrom(), stint.get().getJoinedConvSeq());
        long to = Math.min(head, roster.visibleTo(userId, head));
        response.setFromConvSeq(from).setToConvSeq(to).setEnded(stint.get().getLeftConvSeq() != 0).setReadDiffusionFromConvSeq(roster.readDiffusionFrom())
                .setOwnLastConvSeq(engine.getLong(Column.META, StoreKeys.ownLast(conv.value(), userId), 0));
        if (to >= from) {
            response.setLastEntry(parseMessage(entryBytes(conv, to, head)));
        }
        int limit = request.getLimit() <= 0 ? 0 : pageLimit(request.getLimit());
        int bytesMax = request.getBytesMax() <= 0 ? PAGE_BYTES_MAX : Math.min(request.getBytesMax(), PAGE_BYTES_MAX);
        int pageBytes = 0;
        for (long convSeq = Math.max(from, request.getAfterConvSeq() + 1); convSeq <= to && response.getEntriesCount() < limit; convSeq++) {
            byte[] entry = entryBytes(conv, convSeq, head);
            if (response.getEntriesCount() > 0 && pageBytes + entry.length > bytesMax) {
                break;
            }
            pageBytes += entry.length;
            response.addEntries(parseMessage(entry));
        }
        return response.build();
    }

    private byte[] entryBytes(ConversationId conv, long convSeq, long head) {
        byte[] entry = engine.get(Column.CONV, StoreKeys.convEntry(conv.value(), convSeq));
        if (entry == null) {
            throw new IllegalStateException("corrupt store: conv " + conv + " misses conv_seq " + convSeq + " below head " + head);
        }
        return entry;
    }

    /** The routes of each of these users (all of this SET) that has any: a large group's notify. */
    public ReadRoutesResponse readRoutes(ReadRoutesRequest request) {
        if (request.getUserIdsCount() > ROUTES_USERS_MAX) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "read_routes names " + request.getUserIdsCount() + " users, at most " + ROUTES_USERS_MAX);
        }
        ReadRoutesResponse.Builder response = ReadRoutesResponse.newBuilder();
        routeReader.routesOf(request.getUserIdsList())
                .forEach((user, routes) -> response.addUsers(UserRoutes.newBuilder().setUserId(user).addAllRoutes(routes)));
        return response.build();
    }

    /**
     * The user's conversations by last activity, newest first, with unread counts, exactly as of
     * the inbox head it names: the states and the head are read from one RocksDB iterator, whose
     * view is fixed when it is made. Every state of the user is visited (to sort and to total the
     * unread counts), at most {@link #CONVERSATIONS_VISITED_MAX}.
     */
    public ConversationList readConversations(ReadConversationsRequest request) {
        long userId = request.getUserId();
        if (userId <= 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "read_conversations needs user_id > 0");
        }
        long head;
        long epoch;
        List<ConversationSummary> all = new ArrayList<>();
        List<ConversationSummary> streamed = new ArrayList<>();
        long unreadTotal = 0;
        try (RocksIterator iterator = engine.iterator(Column.META)) {
            head = valueAt(iterator, StoreKeys.inboxHead(userId), 0);
            epoch = valueAt(iterator, StoreKeys.inboxEpoch(userId), StoreKeys.TIMELINE_EPOCH_INITIAL);
            byte[] prefix = StoreKeys.conversationStatePrefix(userId);
            for (iterator.seek(prefix); iterator.isValid() && StoreKeys.hasPrefix(iterator.key(), prefix) && all.size() < CONVERSATIONS_VISITED_MAX;
                    iterator.next()) {
                ConversationState state = parseState(iterator.value());
                unreadTotal += state.getUnreadCount();
                if (state.getStreamFromConvSeq() > 0) {
                    // Read from its log: listed apart, on the first page (logic completes it from the log).
                    if (request.getBeforeSeq() == 0 && streamed.size() < ConvPositions.STREAMS_MAX) {
                        streamed.add(ConversationSummary.newBuilder().setConvId(StoreKeys.convIdOfState(iterator.key())).setLastSeq(state.getLastSeq())
                                .setReadUpToConvSeq(state.getReadUpToConvSeq()).setUnreadCount(state.getUnreadCount())
                                .setStreamFromConvSeq(state.getStreamFromConvSeq()).build());
                    }
                } else if (request.getBeforeSeq() == 0 || state.getLastSeq() < request.getBeforeSeq()) {
                    all.add(ConversationSummary.newBuilder().setConvId(StoreKeys.convIdOfState(iterator.key())).setLastSeq(state.getLastSeq())
                            .setReadUpToConvSeq(state.getReadUpToConvSeq()).setUnreadCount(state.getUnreadCount()).build());
                }
            }
        }
        all.sort(Comparator.comparingLong(ConversationSummary::getLastSeq).reversed());
        int limit = pageLimit(request.getLimit());
        ConversationList.Builder list = ConversationList.newBuilder().setUnreadTotal(unreadTotal).setHasMore(all.size() > limit)
                .setKey(new SyncPosition(epoch, head).toKey()).addAllStreamedConversations(streamed);
        for (ConversationSummary summary : all.subList(0, Math.min(limit, all.size()))) {
            // An inbox entry never changes once written, so reading it outside the iterator's view is safe.
            Op last = parseOp(engine.get(Column.INBOX, StoreKeys.inboxEntry(userId, summary.getLastSeq())));
            list.addConversations(summary.toBuilder().setLastEntry(last.hasGroupChange() ? last.getGroupChange() : last.getMessage()));
        }
        return list.build();
    }

    private static long valueAt(RocksIterator iterator, byte[] key, long absent) {
        iterator.seek(key);
        return iterator.isValid() && java.util.Arrays.equals(iterator.key(), key) ? StoreKeys.longOf(iterator.value(), absent) : absent;
    }

    private static ConversationState parseState(byte[] bytes) {
        try {
            return ConversationState.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: conversation state does not parse: " + e.getMessage(), e);
        }
    }

    private static ConversationId conversation(String convId) {
        try {
            return ConversationId.parse(convId);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
    }

    public OutboxScanResponse scanOutbox(OutboxScanRequest request) {
        long committedBeforeMs = clock.nowMs() - request.getMinAgeMs();
        int limit = pageLimit(request.getLimit());
        OutboxScanResponse.Builder response = OutboxScanResponse.newBuilder();
        try (RocksIterator iterator = engine.iterator(Column.OUTBOX)) {
            int visited = 0;
            for (iterator.seekToFirst(); iterator.isValid() && response.getMessagesCount() < limit && visited++ < OUTBOX_KEYS_VISITED_MAX;
                    iterator.next()) {
                if (StoreKeys.longOf(iterator.value(), 0) > committedBeforeMs) {
                    continue;
                }
                byte[] key = iterator.key();
                byte[] entry = engine.get(Column.CONV, StoreKeys.convEntry(StoreKeys.convIdOf(key), StoreKeys.convSeqOf(key)));
                if (entry != null) {
                    response.addMessages(parseMessage(entry));
                }
            }
        }
        return response.build();
    }

    private int pageLimit(int requested) {
        return requested <= 0 ? readOpsMax : Math.min(requested, readOpsMax);
    }

    private static Op parseOp(byte[] bytes) {
        try {
            return Op.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: inbox op does not parse: " + e.getMessage(), e);
        }
    }

    private static MessageOp parseMessage(byte[] bytes) {
        try {
            return MessageOp.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: conversation entry does not parse: " + e.getMessage(), e);
        }
    }
}

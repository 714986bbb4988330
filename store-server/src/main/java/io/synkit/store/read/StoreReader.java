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
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import org.rocksdb.RocksIterator;

/**
 * Serves reads of committed state: inbox pages for sync, conversation log pages for fan-out
 * repair and history, and the outbox for background re-drive. Reads see only committed batches:
 * a batch reaches RocksDB only once it is committed, and a batch is written atomically.
 */
public final class StoreReader {

    private final StoreEngine engine;
    private final Clock clock;
    private final int readOpsMax;

    /**
     * Bytes of ops per page at most (at least one op is always returned): a page must fit in one
     * client frame (1 MiB by default) whatever the bodies' sizes.
     */
    public static final int PAGE_BYTES_MAX = 512 * 1024;

    /** Outbox keys one scan looks at, at most (young entries are skipped but still cost a visit). */
    public static final int OUTBOX_KEYS_VISITED_MAX = 10_000;

    public StoreReader(StoreEngine engine, Clock clock, int readOpsMax) {
        this.engine = engine;
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
        return response.build();
    }

    /** The group's members; none when there is no such group. */
    public ReadGroupResponse readGroup(ReadGroupRequest request) {
        byte[] stored = engine.get(Column.META, StoreKeys.group(request.getConvId()));
        return ReadGroupResponse.newBuilder().addAllMemberUserIds(StoreKeys.groupMembersOf(stored, request.getConvId())).build();
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

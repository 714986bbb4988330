package io.synkit.store.write;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.ReadMarkOp;
import io.synkit.protocol.client.ReadMarked;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.internal.ConversationState;
import io.synkit.protocol.internal.MarkReadStoreRequest;
import io.synkit.protocol.internal.MarkReadStoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreKeys;

/**
 * Read state per (user, conversation) in the user's SET ({@code 'L' user conv}, a
 * {@link ConversationState}): the conversation's newest entry in the inbox, the read mark and the
 * unread count, kept up to date as entries and marks are appended, so the conversation list needs
 * no scan of the inbox.
 *
 * <p>The rules, which every device applies to the same inbox ops and so computes the same counts:
 * an entry the user made (a message sent, a change made, from any device) moves the read mark to
 * it; an entry of anyone else is unread while above the mark; a read mark only moves forward, and
 * never beyond the newest entry the inbox holds. So the unread entries of a conversation are
 * exactly its entries in the inbox above the mark, none of them the user's own.
 */
final class ReadMarks {

    private final InboxHeads inboxes;

    /** @param inboxes the writer's memory of inbox heads: a read mark takes the inbox's next seq */
    ReadMarks(InboxHeads inboxes) {
        this.inboxes = inboxes;
    }

    /** Updates the state for {@code entry} appended to the user's inbox at {@code seq}. */
    static void entryAppended(BatchView view, long userId, MessageOp entry, long seq) {
        byte[] key = StoreKeys.conversationState(userId, entry.getConvId());
        ConversationState state = state(view, key, userId, entry.getConvId());
        ConversationState.Builder next = state.toBuilder().setLastSeq(seq);
        if (entry.getSenderUserId() == userId) {
            next.setReadUpToConvSeq(entry.getConvSeq()).setUnreadCount(0);
        } else {
            next.setUnreadCount(state.getUnreadCount() + 1);
        }
        view.put(Column.META, key, next.build().toByteArray());
    }

    /**
     * The inbox took a pointer: the conversation is read from its log from {@code fromConvSeq}
     * on. The mark and the count of the inbox's entries before it stay; the log's part of the
     * count is worked out when asked ({@link ReadState#streamUnread}).
     */
    static void streamStarted(BatchView view, long userId, String convId, long fromConvSeq, long seq) {
        byte[] key = StoreKeys.conversationState(userId, convId);
        ConversationState state = state(view, key, userId, convId);
        view.put(Column.META, key, state.toBuilder().setLastSeq(seq).setStreamFromConvSeq(fromConvSeq).build().toByteArray());
    }

    /**
     * Moves the mark forward and appends a {@link ReadMarkOp} to the user's inbox; a mark at or
     * below the current one changes nothing (a retry, or another device was first). The unread
     * count left is the entries above the new mark, found by their fan-out records: O(entries
     * left unread), which are not the user's own (the user's own entry would have moved the mark).
     */
    MarkReadStoreResponse markRead(BatchView view, MarkReadStoreRequest request) {
        long userId = request.getUserId();
        ConversationId conv = WriteCommands.conversation(request.getConvId());
        if (userId <= 0 || request.getDeviceId().isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "mark_read needs user_id > 0 and device_id");
        }
        byte[] key = StoreKeys.conversationState(userId, conv.value());
        ConversationState state = state(view, key, userId, conv.value());
        long streamFrom = state.getStreamFromConvSeq();
        // A conversation read from its log: its newest entry is the log's (logic read it there).
        long newest = streamFrom > 0 ? Math.max(streamFrom, request.getStreamToConvSeq())
                : view.getLong(Column.META, StoreKeys.convCursor(userId, conv.value()), 0);
        long mark = request.getReadUpToConvSeq();
        if (mark < 1 || mark > newest) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "read_up_to_conv_seq " + mark + " must be in 1.." + newest
                    + ", the newest entry of " + conv + " in the inbox");
        }
        ReadMarked.Builder marked = ReadMarked.newBuilder().setConvId(conv.value());
        long ownLast = streamFrom > 0 ? request.getOwnLastConvSeq() : 0;
        // Only the inbox's marks decide: the user's own entry in a group's log moves the mark on
        // the devices that hold it, but a device that had not synced an earlier stint's log before
        // a re-add never gets that entry, so a mark only it passed is still appended for them.
        if (mark <= state.getReadUpToConvSeq()) {
            long unread = streamFrom > 0 ? ReadState.streamUnread(state.getReadUpToConvSeq(), state.getUnreadCount(), ownLast,
                    request.getReadDiffusionFromConvSeq(), streamFrom, newest)
                    : state.getUnreadCount();
            return MarkReadStoreResponse.newBuilder().setMarked(marked.setReadUpToConvSeq(Math.max(state.getReadUpToConvSeq(), ownLast))
                    .setUnreadCount((int) unread)).build();
        }
        int unread = 0;
        // In a conversation read from its log, the inbox holds entries below the stream's start
        // (and the pointer at it); the op carries their count, a device adds the log's part.
        long inboxNewest = streamFrom > 0 ? streamFrom - 1 : newest;
        for (long convSeq = mark + 1; convSeq <= inboxNewest; convSeq++) {
            if (view.get(Column.DEDUP, StoreKeys.fanoutDedup(userId, conv.value(), convSeq)) != null) {
                unread++;
            }
        }
        byte[] headKey = StoreKeys.inboxHead(userId);
        long remembered = inboxes.head(userId);
        long seq = (remembered >= 0 ? remembered : view.getLong(Column.META, headKey, 0)) + 1;
        Op op = Op.newBuilder().setSeq(seq).setReadMark(ReadMarkOp.newBuilder().setConvId(conv.value()).setReadUpToConvSeq(mark)
                .setDeviceId(request.getDeviceId()).setUnreadCount(unread)).build();
        view.put(Column.INBOX, StoreKeys.inboxEntry(userId, seq), op.toByteArray());
        view.putLong(Column.META, headKey, seq);
        inboxes.headMoved(userId, seq);
        view.put(Column.META, key, state.toBuilder().setReadUpToConvSeq(mark).setUnreadCount(unread).build().toByteArray());
        long answered = streamFrom > 0 ? ReadState.streamUnread(mark, unread, ownLast, request.getReadDiffusionFromConvSeq(), streamFrom, newest) : unread;
        return MarkReadStoreResponse.newBuilder().setMarked(marked.setReadUpToConvSeq(Math.max(mark, ownLast)).setSeq(seq).setUnreadCount((int) answered))
                .addAllRoutes(DeviceCommands.routesOf(view, userId)).build();
    }

    private static ConversationState state(BatchView view, byte[] key, long userId, String convId) {
        byte[] value = view.get(Column.META, key);
        if (value == null) {
            return ConversationState.getDefaultInstance();
        }
        try {
            return ConversationState.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: conversation state of user " + userId + " in " + convId + " does not parse", e);
        }
    }
}

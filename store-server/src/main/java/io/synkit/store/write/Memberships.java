package io.synkit.store.write;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.AddMembershipResponse;
import io.synkit.protocol.internal.MembershipRecord;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreKeys;

/**
 * Membership records in a member's own SET ({@code 'W' user conv}): the stint of a group whose
 * entries the user's inbox takes. An inbox takes a group entry only inside the stint, so a
 * removed member's inbox refuses everything after the removal whatever a fan-out sends, and an
 * added member's inbox starts at the entry that added the user.
 *
 * <p>A stint starts when logic records it (from the group record at the home SET) before the
 * entry that added the user reaches the inbox; it ends when the entry that removed the user (or
 * in which the user left) is appended to this inbox: that entry is the last one the inbox takes.
 */
final class Memberships {

    private Memberships() {
    }

    /**
     * Refuses an entry of a group outside the user's stint (FORBIDDEN); a 1:1 conversation's
     * members are in its id. Writes nothing.
     */
    static void checkInboxTakes(BatchView view, long userId, ConversationId conv, MessageOp entry) {
        if (!conv.isGroup()) {
            if (!conv.hasMember(userId)) {
                throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of " + conv);
            }
            return;
        }
        byte[] key = StoreKeys.membership(userId, conv.value());
        MembershipRecord stint = record(view.get(Column.META, key), userId, conv);
        if (stint == null || entry.getConvSeq() < stint.getJoinedConvSeq()
                || (stint.getLeftConvSeq() != 0 && entry.getConvSeq() > stint.getLeftConvSeq())
                || (stint.getStreamFromConvSeq() != 0 && entry.getConvSeq() > stint.getStreamFromConvSeq())) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of " + conv + " at conv_seq " + entry.getConvSeq()
                    + (stint == null ? " (no membership record in the user's SET)"
                    : " (stint " + stint.getJoinedConvSeq() + ".." + (stint.getLeftConvSeq() == 0 ? "" : stint.getLeftConvSeq()) + ")"));
        }
    }

    /** The inbox took {@code entry}: if it is the user's own departure, the stint ends with it. */
    static void entryTaken(BatchView view, long userId, ConversationId conv, MessageOp entry) {
        if (!conv.isGroup() || !isDepartureOf(entry, userId)) {
            return;
        }
        byte[] key = StoreKeys.membership(userId, conv.value());
        MembershipRecord stint = record(view.get(Column.META, key), userId, conv);
        view.put(Column.META, key, stint.toBuilder().setLeftConvSeq(entry.getConvSeq()).build().toByteArray());
    }

    /**
     * The inbox took a pointer: the user reads the group from its log from {@code fromConvSeq} on,
     * so this inbox takes no later entry of the stint (the check above) and never sees its end.
     */
    static void streamStarted(BatchView view, long userId, ConversationId conv, long fromConvSeq) {
        byte[] key = StoreKeys.membership(userId, conv.value());
        MembershipRecord stint = record(view.get(Column.META, key), userId, conv);
        view.put(Column.META, key, stint.toBuilder().setStreamFromConvSeq(fromConvSeq).build().toByteArray());
    }

    private static boolean isDepartureOf(MessageOp entry, long userId) {
        GroupChangeKind kind = entry.getGroupChange().getKind();
        return (kind == GroupChangeKind.MEMBERS_REMOVED || kind == GroupChangeKind.MEMBER_LEFT)
                && entry.getGroupChange().getUserIdsList().contains(userId);
    }

    /**
     * Records the stint that starts at {@code joined_conv_seq}. The same stint again is a retry;
     * an older one is stale and ignored. A newer one replaces the recorded stint only once that
     * has ended here, or entries of the old stint still on their way would be refused; until then
     * the answer says where the inbox stands, and the caller delivers from there first.
     */
    static AddMembershipResponse add(BatchView view, AddMembershipRequest request, InboxHeads inboxes) {
        ConversationId conv = WriteCommands.conversation(request.getConvId());
        if (!conv.isGroup()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, request.getConvId() + " is not a group: a 1:1 conversation's members are in its id");
        }
        long userId = request.getUserId();
        if (userId <= 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "add_membership needs user_id > 0, got " + userId);
        }
        byte[] key = StoreKeys.membership(userId, conv.value());
        MembershipRecord recorded = record(view.get(Column.META, key), userId, conv);
        long joined = request.getJoinedConvSeq();
        if (recorded != null && joined <= recorded.getJoinedConvSeq()) {
            return AddMembershipResponse.newBuilder().setAdded(false).build();
        }
        byte[] cursorKey = StoreKeys.convCursor(userId, conv.value());
        long cursor = view.getLong(Column.META, cursorKey, 0);
        // A stint read from the log ends there, never in this inbox: the new one replaces it at once.
        if (recorded != null && recorded.getStreamFromConvSeq() == 0 && (recorded.getLeftConvSeq() == 0 || recorded.getLeftConvSeq() >= joined)) {
            return AddMembershipResponse.newBuilder().setEarlierStintOpen(true).setNextConvSeq(cursor + 1).build();
        }
        view.put(Column.META, key, MembershipRecord.newBuilder().setJoinedConvSeq(joined).build().toByteArray());
        if (joined > 0 && cursor < joined - 1) {
            // The inbox takes the conversation densely from the cursor on: the user's first entry
            // is the one that added the user.
            view.putLong(Column.META, cursorKey, joined - 1);
            inboxes.cursorMoved(userId, conv.value(), joined - 1);
        }
        return AddMembershipResponse.newBuilder().setAdded(true).build();
    }

    private static MembershipRecord record(byte[] value, long userId, ConversationId conv) {
        if (value == null) {
            return null;
        }
        try {
            return MembershipRecord.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: membership record of user " + userId + " in " + conv + " does not parse", e);
        }
    }
}

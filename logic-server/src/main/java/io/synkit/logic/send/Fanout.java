package io.synkit.logic.send;

import io.synkit.logic.group.ConversationMembers;
import io.synkit.logic.notify.Notifier;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.AddMembershipResponse;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.AppendInboxResponse;
import io.synkit.protocol.internal.GroupMember;
import io.synkit.protocol.internal.OutboxDoneRequest;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a committed conversation entry into one member's inbox and notifies the member's
 * devices. The inbox takes a conversation's entries densely in conv_seq order; when it answers
 * "gap" (an earlier entry's fan-out has not arrived yet, e.g. a concurrent send on another logic
 * node or a crash), we copy the missing entries from the conversation log first. So whoever
 * fans out later also finishes the work of whoever stalled, and every device sees every
 * conversation in the same order.
 *
 * <p>A group member's inbox takes entries only inside the member's stint (its membership record
 * in the member's SET). When it refuses one (FORBIDDEN), the stint may not be recorded there yet
 * (the member was just added, and the fan-out that records it has not run or crashed): we read
 * the group record at the home SET and, if it says the user is a member at that entry, record the
 * stint and append again. A stint starts only once the user's previous one has ended in that
 * inbox, so the entries of the old stint, up to the removal, are delivered first. Copying
 * missing entries stops at the first one the inbox refuses: the user's stint ended before it.
 */
public final class Fanout {

    /** Repair rounds per entry at most; each round copies up to this many missing entries. */
    static final int REPAIR_ROUNDS_MAX = 8;
    static final int REPAIR_ENTRIES_PER_ROUND_MAX = 256;

    private final StoreCalls store;
    private final Notifier notifier;
    private final ConversationMembers members;

    public Fanout(StoreCalls store, Notifier notifier, ConversationMembers members) {
        this.store = store;
        this.notifier = notifier;
        this.members = members;
    }

    /** Appends the entry to every member's inbox; completes with the seq for each, in member order. */
    public CompletableFuture<List<Long>> toMembers(MessageOp message, List<Long> members) {
        return toEach(message, members, false);
    }

    /**
     * Starts each user's stream of a group read from its log at {@code entry}: the inbox takes a
     * {@code ConvStreamOp} in the entry's place (after the entries before it, gap repair as for any
     * entry), and the user's devices read the group from its log from there on.
     */
    public CompletableFuture<List<Long>> streamsFrom(MessageOp entry, List<Long> users) {
        return toEach(entry, users, true);
    }

    private CompletableFuture<List<Long>> toEach(MessageOp message, List<Long> members, boolean streamFrom) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] appends = members.stream().map(user -> toInbox(user, message, 0, streamFrom)).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(appends).thenApply(done -> Arrays.stream(appends).map(CompletableFuture::join).toList());
    }

    /**
     * Clears the entry's outbox mark at its home SET once every member's inbox holds it, so the
     * re-driver leaves it alone. Idempotent; if it is lost, the re-driver repeats a complete
     * fan-out, which changes nothing, and clears the mark then.
     */
    public CompletableFuture<Void> outboxDone(MessageOp committed) {
        StoreRequest done = StoreRequest.newBuilder().setOutboxDone(OutboxDoneRequest.newBuilder()
                .setConvId(committed.getConvId()).setConvSeq(committed.getConvSeq())).build();
        return store.forConversation(committed.getConvId(), done).thenApply(response -> null);
    }

    /**
     * Records the user's stint in the user's SET, as the group record gives it (the caller read
     * it or got it with the entry): the fan-out of the entry that added the user does this first.
     */
    public CompletableFuture<AddMembershipResponse> recordStint(long userId, String convId, long joinedConvSeq) {
        StoreRequest add = StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(userId).setConvId(convId)
                .setJoinedConvSeq(joinedConvSeq)).build();
        return store.forUser(userId, add).thenApply(response -> response.getAddMembership());
    }

    private CompletableFuture<Long> toInbox(long userId, MessageOp message, int round, boolean streamFrom) {
        StoreRequest request = StoreRequest.newBuilder()
                .setAppendInbox(AppendInboxRequest.newBuilder().setUserId(userId).setMessage(message).setStreamFrom(streamFrom)).build();
        CompletableFuture<Long> appended = store.forUser(userId, request).thenCompose(response -> {
            AppendInboxResponse append = response.getAppendInbox();
            if (!append.getGap()) {
                notifier.inboxAdvanced(userId, append.getSeq(), append.getRoutesList());
                return CompletableFuture.completedFuture(append.getSeq());
            }
            checkRound(userId, message, round, "a gap");
            return repairGap(userId, message, append.getNextConvSeq()).thenCompose(repaired -> toInbox(userId, message, round + 1, streamFrom));
        });
        if (!ConversationId.parse(message.getConvId()).isGroup()) {
            return appended;
        }
        return appended.exceptionallyCompose(failure -> {
            if (RpcException.of(failure).code() != ErrorCode.FORBIDDEN) {
                return CompletableFuture.failedFuture(failure);
            }
            checkRound(userId, message, round, "no stint");
            return ensureStint(userId, message, round).thenCompose(recorded -> toInbox(userId, message, round + 1, streamFrom));
        });
    }

    private static void checkRound(long userId, MessageOp message, int round, String what) {
        if (round >= REPAIR_ROUNDS_MAX) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "fan-out of " + message.getConvId() + "#" + message.getConvSeq() + " to user "
                    + userId + " still has " + what + " after " + round + " repair rounds");
        }
    }

    /**
     * The inbox refused the entry: records the user's stint from the group record if the record
     * says the user is a member at the entry (else the refusal stands), delivering the end of the
     * user's previous stint first if the inbox still has it open.
     */
    private CompletableFuture<Void> ensureStint(long userId, MessageOp message, int round) {
        ConversationId conv = ConversationId.parse(message.getConvId());
        return members.roster(conv).thenCompose(roster -> {
            if (!roster.isMemberAt(userId, message.getConvSeq())) {
                throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of " + conv + " at conv_seq " + message.getConvSeq());
            }
            long joined = roster.stintOf(userId).map(GroupMember::getJoinedConvSeq).orElseThrow();
            return recordStint(userId, conv.value(), joined).thenCompose(answer -> {
                if (!answer.getEarlierStintOpen()) {
                    return CompletableFuture.completedFuture(null);
                }
                checkRound(userId, message, round + 1, "an open earlier stint");
                return repairGap(userId, message, answer.getNextConvSeq()).thenCompose(repaired -> recordStint(userId, conv.value(), joined))
                        .thenApply(again -> null);
            });
        });
    }

    /**
     * Copies entries [nextConvSeq, message.conv_seq) from the conversation log into the inbox, in
     * order, until the inbox refuses one (the user's stint ended before it).
     */
    private CompletableFuture<Void> repairGap(long userId, MessageOp message, long nextConvSeq) {
        long missing = Math.min(message.getConvSeq() - nextConvSeq, REPAIR_ENTRIES_PER_ROUND_MAX);
        if (missing <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        StoreRequest read = StoreRequest.newBuilder().setReadConv(ReadConvRequest.newBuilder()
                .setConvId(message.getConvId()).setFromConvSeq(nextConvSeq).setLimit((int) missing)).build();
        return store.forConversation(message.getConvId(), read).thenCompose(response -> {
            long readDiffusionFrom = response.getReadConv().getReadDiffusionFromConvSeq();
            CompletableFuture<Boolean> chain = CompletableFuture.completedFuture(true);
            for (MessageOp earlier : response.getReadConv().getMessagesList()) {
                if (earlier.getConvSeq() >= message.getConvSeq()) {
                    break;
                }
                // An entry read from the log reaches the inbox as the stream's pointer (the switch's
                // fan-out to this user was cut short); the inbox then refuses the stint's later entries.
                boolean streamFrom = readDiffusionFrom > 0 && earlier.getConvSeq() >= readDiffusionFrom;
                chain = chain.thenCompose(taking -> taking ? appendOnce(userId, earlier, streamFrom) : CompletableFuture.completedFuture(false));
            }
            return chain.thenApply(done -> null);
        });
    }

    /** Appends one earlier entry; completes false when the inbox refused it as outside the user's stint. */
    private CompletableFuture<Boolean> appendOnce(long userId, MessageOp earlier, boolean streamFrom) {
        StoreRequest request = StoreRequest.newBuilder()
                .setAppendInbox(AppendInboxRequest.newBuilder().setUserId(userId).setMessage(earlier).setStreamFrom(streamFrom)).build();
        return store.forUser(userId, request).thenApply(response -> {
            AppendInboxResponse append = response.getAppendInbox();
            if (!append.getGap()) {
                // A duplicate too: the attempt that committed it may have lost its answer, and its notify.
                notifier.inboxAdvanced(userId, append.getSeq(), append.getRoutesList());
            }
            return true;
        }).exceptionally(failure -> {
            if (RpcException.of(failure).code() == ErrorCode.FORBIDDEN) {
                return false;
            }
            throw RpcException.of(failure);
        });
    }
}

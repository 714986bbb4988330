package io.synkit.logic.send;

import io.synkit.logic.notify.Notifier;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.AppendInboxResponse;
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
 */
public final class Fanout {

    /** Repair rounds per entry at most; each round copies up to this many missing entries. */
    static final int REPAIR_ROUNDS_MAX = 8;
    static final int REPAIR_ENTRIES_PER_ROUND_MAX = 256;

    private final StoreCalls store;
    private final Notifier notifier;

    public Fanout(StoreCalls store, Notifier notifier) {
        this.store = store;
        this.notifier = notifier;
    }

    /** Appends the entry to every member's inbox; completes with the seq for each, in member order. */
    public CompletableFuture<List<Long>> toMembers(MessageOp message, List<Long> members) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] appends = members.stream().map(user -> toInbox(user, message, 0)).toArray(CompletableFuture[]::new);
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

    private CompletableFuture<Long> toInbox(long userId, MessageOp message, int round) {
        StoreRequest request = StoreRequest.newBuilder()
                .setAppendInbox(AppendInboxRequest.newBuilder().setUserId(userId).setMessage(message)).build();
        return store.forUser(userId, request).thenCompose(response -> {
            AppendInboxResponse append = response.getAppendInbox();
            if (!append.getGap()) {
                notifier.inboxAdvanced(userId, append.getSeq(), append.getRoutesList());
                return CompletableFuture.completedFuture(append.getSeq());
            }
            if (round >= REPAIR_ROUNDS_MAX) {
                return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "fan-out of " + message.getConvId()
                        + "#" + message.getConvSeq() + " to user " + userId + " still has a gap after " + round + " repair rounds"));
            }
            return repairGap(userId, message, append.getNextConvSeq()).thenCompose(repaired -> toInbox(userId, message, round + 1));
        });
    }

    /** Copies entries [nextConvSeq, message.conv_seq) from the conversation log into the inbox, in order. */
    private CompletableFuture<Void> repairGap(long userId, MessageOp message, long nextConvSeq) {
        long missing = Math.min(message.getConvSeq() - nextConvSeq, REPAIR_ENTRIES_PER_ROUND_MAX);
        StoreRequest read = StoreRequest.newBuilder().setReadConv(ReadConvRequest.newBuilder()
                .setConvId(message.getConvId()).setFromConvSeq(nextConvSeq).setLimit((int) missing)).build();
        return store.forConversation(message.getConvId(), read).thenCompose(response -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (MessageOp earlier : response.getReadConv().getMessagesList()) {
                if (earlier.getConvSeq() >= message.getConvSeq()) {
                    break;
                }
                chain = chain.thenCompose(previous -> appendOnce(userId, earlier));
            }
            return chain;
        });
    }

    private CompletableFuture<Void> appendOnce(long userId, MessageOp earlier) {
        StoreRequest request = StoreRequest.newBuilder()
                .setAppendInbox(AppendInboxRequest.newBuilder().setUserId(userId).setMessage(earlier)).build();
        return store.forUser(userId, request).thenAccept(response -> {
            AppendInboxResponse append = response.getAppendInbox();
            if (!append.getGap() && !append.getDuplicate()) {
                notifier.inboxAdvanced(userId, append.getSeq(), append.getRoutesList());
            }
        });
    }
}

package io.synkit.logic.readstate;

import io.synkit.logic.notify.Notifier;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationListRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MarkReadRequest;
import io.synkit.protocol.client.ReadMarked;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.MarkReadStoreRequest;
import io.synkit.protocol.internal.ReadConversationsRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * Read state, kept in the caller's own SET: read marks (an op in the caller's inbox, so every
 * device of the caller gets it by sync; the devices are notified like for a message) and the
 * conversation list (conversations by last activity with last entry and unread count, as of an
 * inbox seq the answer's sync key names, so a new device draws the list and then syncs on).
 */
public final class ReadStatePath {

    private final StoreCalls store;
    private final Notifier notifier;
    private final int conversationsMax;

    public ReadStatePath(StoreCalls store, Notifier notifier, int conversationsMax) {
        this.store = store;
        this.notifier = notifier;
        this.conversationsMax = conversationsMax;
    }

    public CompletableFuture<ReadMarked> markRead(Caller caller, MarkReadRequest request) {
        ConversationId conv;
        try {
            conv = ConversationId.parse(request.getConvId());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        StoreRequest mark = StoreRequest.newBuilder().setMarkRead(MarkReadStoreRequest.newBuilder().setUserId(caller.getUserId())
                .setConvId(conv.value()).setReadUpToConvSeq(request.getReadUpToConvSeq()).setDeviceId(caller.getDeviceId())).build();
        return store.forUser(caller.getUserId(), mark).thenApply(response -> {
            ReadMarked marked = response.getMarkRead().getMarked();
            if (marked.getSeq() > 0) {
                notifier.inboxAdvanced(caller.getUserId(), marked.getSeq(), response.getMarkRead().getRoutesList());
            }
            return marked;
        });
    }

    public CompletableFuture<ConversationList> conversations(Caller caller, ConversationListRequest request) {
        long requested = Integer.toUnsignedLong(request.getLimit());
        int limit = requested == 0 ? conversationsMax : (int) Math.min(requested, conversationsMax);
        StoreRequest read = StoreRequest.newBuilder().setReadConversations(ReadConversationsRequest.newBuilder().setUserId(caller.getUserId())
                .setBeforeSeq(request.getBeforeSeq()).setLimit(limit)).build();
        return store.forUser(caller.getUserId(), read).thenApply(response -> response.getReadConversations());
    }
}

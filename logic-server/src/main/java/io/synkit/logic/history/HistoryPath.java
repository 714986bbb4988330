package io.synkit.logic.history;

import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.HistoryRequest;
import io.synkit.protocol.client.HistoryResponse;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.ReadHistoryRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * History paging ("load older messages"): a conversation's entries below a conv_seq, newest
 * first, at most {@code logic.history.entries.max} per page. The conversation's home SET checks
 * what the caller may read (a group member from the join on, up to the departure) next to the
 * group record, so the check and the read see one state.
 */
public final class HistoryPath {

    private final StoreCalls store;
    private final int entriesMax;

    public HistoryPath(StoreCalls store, int entriesMax) {
        this.store = store;
        this.entriesMax = entriesMax;
    }

    public CompletableFuture<HistoryResponse> history(Caller caller, HistoryRequest request) {
        ConversationId conv;
        try {
            conv = ConversationId.parse(request.getConvId());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        long requested = Integer.toUnsignedLong(request.getLimit());
        int limit = requested == 0 ? entriesMax : (int) Math.min(requested, entriesMax);
        StoreRequest read = StoreRequest.newBuilder().setReadHistory(ReadHistoryRequest.newBuilder().setConvId(conv.value())
                .setUserId(caller.getUserId()).setBeforeConvSeq(request.getBeforeConvSeq()).setLimit(limit)).build();
        return store.forConversation(conv.value(), read).thenApply(response -> response.getReadHistory());
    }
}

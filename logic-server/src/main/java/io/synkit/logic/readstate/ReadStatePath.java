package io.synkit.logic.readstate;

import io.synkit.logic.notify.Notifier;
import io.synkit.logic.store.StoreCalls;
import io.synkit.logic.store.StreamReads;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.internal.ReadStreamResponse;
import io.synkit.protocol.sync.ConvPositions;
import java.util.List;
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
    private final StreamReads streams;
    private final int conversationsMax;

    public ReadStatePath(StoreCalls store, Notifier notifier, int conversationsMax) {
        this.store = store;
        this.streams = new StreamReads(store);
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
        MarkReadStoreRequest.Builder mark = MarkReadStoreRequest.newBuilder().setUserId(caller.getUserId())
                .setConvId(conv.value()).setReadUpToConvSeq(request.getReadUpToConvSeq()).setDeviceId(caller.getDeviceId());
        if (!conv.isGroup()) {
            return markRead(caller, mark);
        }
        // A group may be read from its log: its newest entry and the caller's own are at its home SET
        // (the user's SET uses them only if its inbox holds the group's ConvStreamOp).
        return streams.state(conv.value(), caller.getUserId()).thenCompose(stream -> markRead(caller,
                mark.setStreamToConvSeq(stream.getToConvSeq()).setOwnLastConvSeq(stream.getOwnLastConvSeq())
                        .setReadDiffusionFromConvSeq(stream.getReadDiffusionFromConvSeq())));
    }

    private CompletableFuture<ReadMarked> markRead(Caller caller, MarkReadStoreRequest.Builder mark) {
        return store.forUser(caller.getUserId(), StoreRequest.newBuilder().setMarkRead(mark).build()).thenApply(response -> {
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
        return store.forUser(caller.getUserId(), read).thenCompose(response -> withStreams(caller.getUserId(), response.getReadConversations()));
    }

    /**
     * Completes the large groups of a list from their logs: newest entry, mark (the user's own
     * newest entry moves it), unread count (§15.5), and their positions in the list's key, so a
     * device that starts from the list syncs each group's log on from there.
     */
    private CompletableFuture<ConversationList> withStreams(long userId, ConversationList list) {
        if (list.getStreamedConversationsCount() == 0) {
            return CompletableFuture.completedFuture(list);
        }
        List<CompletableFuture<ReadStreamResponse>> reads = list.getStreamedConversationsList().stream()
                .map(summary -> streams.state(summary.getConvId(), userId)).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ConversationList.Builder completed = list.toBuilder().clearStreamedConversations();
            ConvPositions positions = ConvPositions.none();
            long unreadTotal = list.getUnreadTotal();
            for (int i = 0; i < reads.size(); i++) {
                ConversationSummary stored = list.getStreamedConversations(i);
                ReadStreamResponse stream = reads.get(i).join();
                long from = stored.getStreamFromConvSeq();
                long to = Math.max(stream.getToConvSeq(), from - 1);
                long unread = ReadState.streamUnread(stored.getReadUpToConvSeq(), stored.getUnreadCount(), stream.getOwnLastConvSeq(),
                        stream.getReadDiffusionFromConvSeq(), from, to);
                unreadTotal += unread - stored.getUnreadCount();
                ConversationSummary.Builder summary = stored.toBuilder().setUnreadCount((int) unread)
                        .setReadUpToConvSeq(Math.max(stored.getReadUpToConvSeq(), stream.getOwnLastConvSeq()));
                if (stream.hasLastEntry() && stream.getLastEntry().getConvSeq() >= from) {
                    summary.setLastEntry(stream.getLastEntry());
                }
                completed.addStreamedConversations(summary);
                positions = positions.with(stored.getConvId(), to);
            }
            return completed.setUnreadTotal(unreadTotal).setKey(positions.addTo(list.getKey())).build();
        });
    }
}

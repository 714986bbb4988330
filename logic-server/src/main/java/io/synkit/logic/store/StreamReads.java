package io.synkit.logic.store;

import io.synkit.protocol.internal.ReadStreamRequest;
import io.synkit.protocol.internal.ReadStreamResponse;
import io.synkit.protocol.internal.StoreRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Reads of a member's part of a large group's log at the group's home SET (read diffusion,
 * docs/protocol.md §15.5): the entries after a position, or with {@code limit} 0 only the state
 * (the stint's range in the log, the member's own newest entry, the newest entry it may read).
 */
public final class StreamReads {

    private final StoreCalls store;

    public StreamReads(StoreCalls store) {
        this.store = store;
    }

    public CompletableFuture<ReadStreamResponse> read(String convId, long userId, long afterConvSeq, int limit, int bytesMax) {
        StoreRequest read = StoreRequest.newBuilder().setReadStream(ReadStreamRequest.newBuilder().setConvId(convId).setUserId(userId)
                .setAfterConvSeq(afterConvSeq).setLimit(limit).setBytesMax(bytesMax)).build();
        return store.forConversation(convId, read).thenApply(response -> response.getReadStream());
    }

    /** The state only: no entries. */
    public CompletableFuture<ReadStreamResponse> state(String convId, long userId) {
        return read(convId, userId, 0, 0, 0);
    }
}

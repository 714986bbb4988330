package io.synkit.logic.group;

import io.synkit.logic.store.StoreClient;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.ReadGroupRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in a conversation: a 1:1 conversation's two members are in its id; a group's are in its
 * group record at the conversation's home SET, read once and then kept (a group's members do not
 * change after creation in this version). Members come ascending, so every fan-out visits them
 * in the same order.
 */
public final class ConversationMembers {

    /** Groups remembered at most; past this the memory starts over (a re-read is cheap). */
    static final int CACHED_GROUPS_MAX = 100_000;

    private final StoreClient store;
    private final Map<String, List<Long>> groups = new ConcurrentHashMap<>();

    public ConversationMembers(StoreClient store) {
        this.store = store;
    }

    public CompletableFuture<List<Long>> of(ConversationId conv) {
        if (!conv.isGroup()) {
            return CompletableFuture.completedFuture(conv.members());
        }
        List<Long> known = groups.get(conv.value());
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        StoreRequest read = StoreRequest.newBuilder().setReadGroup(ReadGroupRequest.newBuilder().setConvId(conv.value())).build();
        return store.forConversation(conv.value(), read).thenApply(response -> {
            List<Long> members = response.getReadGroup().getMemberUserIdsList();
            if (members.isEmpty()) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "no group " + conv + " (create it first)");
            }
            remember(conv.value(), members);
            return members;
        });
    }

    /** A group just created here: no need to read it back. */
    public void remember(String convId, List<Long> members) {
        if (groups.size() >= CACHED_GROUPS_MAX) {
            groups.clear();
        }
        groups.put(convId, List.copyOf(members));
    }
}

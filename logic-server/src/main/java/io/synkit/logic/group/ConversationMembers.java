package io.synkit.logic.group;

import io.synkit.logic.store.StoreCalls;
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

    private final StoreCalls store;
    private final Map<String, List<Long>> groups = new ConcurrentHashMap<>();

    public ConversationMembers(StoreCalls store) {
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
        return recorded(conv).thenApply(members -> {
            if (members.isEmpty()) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "no group " + conv + " (create it first)");
            }
            remember(conv.value(), members);
            return members;
        });
    }

    /** The members in the group's record at its home SET, read now; none when there is no such group. */
    public CompletableFuture<List<Long>> recorded(ConversationId group) {
        StoreRequest read = StoreRequest.newBuilder().setReadGroup(ReadGroupRequest.newBuilder().setConvId(group.value())).build();
        return store.forConversation(group.value(), read).thenApply(response -> response.getReadGroup().getMemberUserIdsList());
    }

    /** A group just created here: no need to read it back. */
    public void remember(String convId, List<Long> members) {
        if (groups.size() >= CACHED_GROUPS_MAX) {
            groups.clear();
        }
        groups.put(convId, List.copyOf(members));
    }
}

package io.synkit.logic.group;

import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Creating a group conversation {@code g:<creator>:<name>}: the caller is the creator and always
 * a member; the record goes to the conversation's home SET, idempotently (a retry with the same
 * members answers created = false). Small groups only (write diffusion: every message goes into
 * every member's inbox), bounded by {@code logic.group.members.max}.
 *
 * <p>Before the group record, a membership record goes to every member's own SET, whose inbox
 * takes the group's entries only for a user it holds one for. In this order a crash midway leaves
 * at most membership records of a group nobody can send to yet, and the creator's retry (the
 * same request again) writes what is missing, every step idempotent. A request naming other
 * members than an existing group's is refused before anything is written.
 */
public final class GroupPath {

    private final StoreCalls store;
    private final ConversationMembers members;
    private final int membersMax;

    public GroupPath(StoreCalls store, ConversationMembers members, int membersMax) {
        this.store = store;
        this.members = members;
        this.membersMax = membersMax;
    }

    public CompletableFuture<GroupCreated> create(Caller caller, CreateGroupRequest request) {
        ConversationId conv;
        try {
            conv = ConversationId.group(caller.getUserId(), request.getName());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        TreeSet<Long> all = new TreeSet<>(request.getMemberUserIdsList());
        all.add(caller.getUserId());
        if (all.first() <= 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "member user ids must be positive, got " + all.first());
        }
        if (all.size() < 2 || all.size() > membersMax) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a group has 2.." + membersMax + " members (creator included), got " + all.size());
        }
        List<Long> sorted = List.copyOf(all);
        return members.recorded(conv).thenCompose(existing -> {
            if (!existing.isEmpty() && !existing.equals(sorted)) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "group " + conv + " exists with other members");
            }
            return addMemberships(conv, sorted);
        }).thenCompose(membershipsWritten -> {
            StoreRequest create = StoreRequest.newBuilder()
                    .setCreateGroup(CreateGroupStoreRequest.newBuilder().setConvId(conv.value()).addAllMemberUserIds(sorted)).build();
            return store.forConversation(conv.value(), create);
        }).thenApply(response -> {
            members.remember(conv.value(), response.getCreateGroup().getMemberUserIdsList());
            return GroupCreated.newBuilder().setConvId(conv.value()).addAllMemberUserIds(response.getCreateGroup().getMemberUserIdsList())
                    .setCreated(response.getCreateGroup().getCreated()).build();
        });
    }

    /** Writes each member's membership record to the member's own SET; completes when all are written. */
    private CompletableFuture<Void> addMemberships(ConversationId conv, List<Long> users) {
        CompletableFuture<?>[] writes = users.stream().map(user -> store.forUser(user, StoreRequest.newBuilder()
                .setAddMembership(AddMembershipRequest.newBuilder().setUserId(user).setConvId(conv.value())).build())).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(writes);
    }
}

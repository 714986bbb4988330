package io.synkit.logic.group;

import io.synkit.logic.send.Delivery;
import io.synkit.logic.send.Fanout;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.GroupChanged;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.conv.ClientMsgId;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Creating a group conversation {@code g:<creator>:<name>} and changing its members. The caller
 * of a creation is the creator, always a member and the group's admin; the record goes to the
 * conversation's home SET, idempotently (a retry with the same members answers created = false).
 * Bounded by {@code logic.group.members.max}; groups above {@code
 * logic.group.write.diffusion.members.max} are read from their log ({@link Delivery}).
 *
 * <p>Before the group record, a membership record goes to every member's own SET, whose inbox
 * takes the group's entries only for a user it holds one for. In this order a crash midway leaves
 * at most membership records of a group nobody can send to yet, and the creator's retry (the
 * same request again) writes what is missing, every step idempotent. A request naming other
 * members than an existing group's is refused before anything is written.
 *
 * <p>A membership change (add, remove, leave) is an entry of the group's conversation, appended
 * like a message (idempotent on caller, conversation and client_msg_id): the home SET checks it
 * against the record and changes the record in the same batch, so the change takes its place in
 * the one conv_seq order every member sees. It is then fanned out to the members at that entry:
 * the old members, a removed member (whose inbox takes it as its last entry), an added member
 * (whose stint is recorded in the member's SET first, starting at this entry).
 */
public final class GroupPath {

    private final StoreCalls store;
    private final ConversationMembers members;
    private final Fanout fanout;
    private final Delivery delivery;
    private final int membersMax;
    private final int changeUsersMax;
    private final int writeDiffusionMembersMax;

    /**
     * @param writeDiffusionMembersMax a group with more members is read from its log (read
     *        diffusion): created so, or switched by the change that takes it past this
     */
    public GroupPath(StoreCalls store, ConversationMembers members, Fanout fanout, Delivery delivery, int membersMax, int changeUsersMax,
                     int writeDiffusionMembersMax) {
        this.store = store;
        this.members = members;
        this.fanout = fanout;
        this.delivery = delivery;
        this.membersMax = membersMax;
        this.changeUsersMax = changeUsersMax;
        this.writeDiffusionMembersMax = writeDiffusionMembersMax;
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
        return members.roster(conv).thenCompose(existing -> {
            if (existing.exists() && !existing.current().equals(sorted)) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "group " + conv + " exists with other members");
            }
            return addMemberships(conv, sorted);
        }).thenCompose(membershipsWritten -> {
            StoreRequest create = StoreRequest.newBuilder().setCreateGroup(CreateGroupStoreRequest.newBuilder().setConvId(conv.value())
                    .addAllMemberUserIds(sorted).setShowEarlierHistory(request.getShowEarlierHistory())
                    .setWriteDiffusionMembersMax(writeDiffusionMembersMax)).build();
            return store.forConversation(conv.value(), create);
        }).thenApply(response -> GroupCreated.newBuilder().setConvId(conv.value())
                .addAllMemberUserIds(response.getCreateGroup().getMemberUserIdsList()).setCreated(response.getCreateGroup().getCreated()).build());
    }

    /**
     * Adds, removes or leaves: appends the change to the conversation (the home SET checks who may
     * make it and applies it to the record), records added users' stints in their SETs, fans the
     * change out to the members at it, and answers once every one of their inboxes holds it.
     */
    public CompletableFuture<GroupChanged> change(Caller caller, ChangeGroupRequest request) {
        ConversationId conv = checkGroup(request.getConvId());
        GroupChange change = checkChange(caller, request);
        MessageOp entry = MessageOp.newBuilder().setConvId(conv.value()).setSenderUserId(caller.getUserId()).setSenderDeviceId(caller.getDeviceId())
                .setClientMsgId(request.getClientMsgId()).setGroupChange(change).build();
        StoreRequest append = StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(entry).setGroupMembersMax(membersMax)
                .setWriteDiffusionMembersMax(writeDiffusionMembersMax))
                .build();
        return store.forConversation(conv.value(), append).thenCompose(response -> {
            AppendConvResponse appended = response.getAppendConv();
            MessageOp committed = appended.getMessage();
            if (!committed.hasGroupChange() || committed.getSenderUserId() != caller.getUserId()) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "client_msg_id " + request.getClientMsgId() + " names a message in " + conv
                        + ", not a membership change");
            }
            return stintsOfAdded(committed).thenCompose(recorded -> delivery.deliver(committed, appended.getMembersVersion(), caller.getUserId()))
                    .thenApply(seq -> {
                        fanout.outboxDone(committed);
                        return GroupChanged.newBuilder().setConvId(conv.value()).setConvSeq(committed.getConvSeq())
                                .setSeq(seq).setServerTimeMs(committed.getServerTimeMs())
                                .setDuplicate(appended.getDuplicate()).build();
                    });
        });
    }

    /** Added users' stints start at the change: recorded in their SETs before the change reaches their inboxes. */
    private CompletableFuture<Void> stintsOfAdded(MessageOp committed) {
        if (committed.getGroupChange().getKind() != GroupChangeKind.MEMBERS_ADDED) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(committed.getGroupChange().getUserIdsList().stream()
                .map(user -> fanout.recordStint(user, committed.getConvId(), committed.getConvSeq())).toArray(CompletableFuture[]::new));
    }

    private static ConversationId checkGroup(String convId) {
        ConversationId conv;
        try {
            conv = ConversationId.parse(convId);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        if (!conv.isGroup()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, conv + " is not a group: a 1:1 conversation's members cannot change");
        }
        return conv;
    }

    private GroupChange checkChange(Caller caller, ChangeGroupRequest request) {
        try {
            ClientMsgId.check(request.getClientMsgId());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        TreeSet<Long> users = new TreeSet<>(request.getUserIdsList());
        switch (request.getKind()) {
            case MEMBERS_ADDED, MEMBERS_REMOVED -> {
                if (users.isEmpty() || users.size() > changeUsersMax || users.first() <= 0) {
                    throw new RpcException(ErrorCode.INVALID_REQUEST, "a change names 1.." + changeUsersMax + " positive user ids, got "
                            + users.size() + (users.isEmpty() ? "" : " from " + users.first()));
                }
            }
            case MEMBER_LEFT -> {
                if (!users.isEmpty()) {
                    throw new RpcException(ErrorCode.INVALID_REQUEST, "a member leaves alone: user_ids must be empty");
                }
                users.add(caller.getUserId());
            }
            default -> throw new RpcException(ErrorCode.INVALID_REQUEST, "kind " + request.getKindValue() + " is not a group change");
        }
        return GroupChange.newBuilder().setKind(request.getKind()).addAllUserIds(users).build();
    }

    /** Writes each member's membership record to the member's own SET; completes when all are written. */
    private CompletableFuture<Void> addMemberships(ConversationId conv, List<Long> users) {
        CompletableFuture<?>[] writes = users.stream().map(user -> store.forUser(user, StoreRequest.newBuilder()
                .setAddMembership(AddMembershipRequest.newBuilder().setUserId(user).setConvId(conv.value())).build())).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(writes);
    }
}

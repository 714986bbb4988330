package io.synkit.logic.group;

import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import io.synkit.protocol.internal.GroupRecord;
import io.synkit.protocol.internal.ReadGroupRequest;
import io.synkit.protocol.internal.ReadGroupResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who receives a conversation's entry: a 1:1 conversation's two members are in its id; a group's
 * are the users whose stint covers the entry, from the group record at the conversation's home
 * SET ({@link GroupRoster}). A record read once is kept and used for an entry as long as it is
 * known to reflect every membership change up to that entry: its version (last change) is at least
 * the version the home SET answered with the entry, or it was read when the conversation's head
 * was at or past the entry. Otherwise it is read again. Members come ascending, so every fan-out
 * visits them in the same order.
 */
public final class ConversationMembers {

    /** Groups remembered at most; past this the memory starts over (a re-read is cheap). */
    static final int CACHED_GROUPS_MAX = 100_000;

    /** Version not known with the entry (outbox re-drive): only the head at reading tells. */
    public static final long VERSION_UNKNOWN = -1;

    private final StoreCalls store;
    private final Map<String, Read> groups = new ConcurrentHashMap<>();

    /** A record as read, with the conversation's head at that moment. */
    private record Read(GroupRoster roster, long headConvSeq) {
    }

    public ConversationMembers(StoreCalls store) {
        this.store = store;
    }

    /**
     * The group's roster as recent as entry {@code convSeq} of {@code group} needs: the entry's
     * recipients ({@link GroupRoster#membersAt}) and whether it is read from the log follow from
     * it. {@code versionAtEntry} is the group record's version the home SET answered with the
     * entry, or {@link #VERSION_UNKNOWN}.
     */
    public CompletableFuture<GroupRoster> rosterAt(ConversationId group, long convSeq, long versionAtEntry) {
        Read known = groups.get(group.value());
        if (known != null && (known.roster().version() >= versionAtEntry && versionAtEntry != VERSION_UNKNOWN
                || known.headConvSeq() >= convSeq)) {
            return CompletableFuture.completedFuture(known.roster());
        }
        return roster(group).thenApply(roster -> {
            if (!roster.exists()) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "no group " + group + " (create it first)");
            }
            return roster;
        });
    }

    /** The group's roster at its home SET, read now (and remembered); an empty one when there is no such group. */
    public CompletableFuture<GroupRoster> roster(ConversationId group) {
        StoreRequest read = StoreRequest.newBuilder().setReadGroup(ReadGroupRequest.newBuilder().setConvId(group.value())).build();
        return store.forConversation(group.value(), read).thenApply(response -> {
            ReadGroupResponse answer = response.getReadGroup();
            // A store from before stints answers the members only.
            GroupRecord record = answer.hasRecord() ? answer.getRecord() : GroupRecord.newBuilder().addAllMemberUserIds(answer.getMemberUserIdsList()).build();
            GroupRoster roster = GroupRoster.of(record, group.lowUserId());
            if (roster.exists()) {
                remember(group.value(), new Read(roster, answer.getHeadConvSeq()));
            }
            return roster;
        });
    }

    private void remember(String convId, Read read) {
        if (groups.size() >= CACHED_GROUPS_MAX) {
            groups.clear();
        }
        groups.merge(convId, read, (old, fresh) -> fresh.headConvSeq() >= old.headConvSeq() ? fresh : old);
    }
}

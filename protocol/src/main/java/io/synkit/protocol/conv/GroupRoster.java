package io.synkit.protocol.conv;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.internal.GroupMember;
import io.synkit.protocol.internal.GroupRecord;
import io.synkit.protocol.rpc.RpcException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who is in a group at which point of its conversation: one stint per user (the latest), from the
 * entry that added the user ({@code joined_conv_seq}, 0 for the members at creation) up to and
 * including the entry that removed the user or in which the user left ({@code left_conv_seq}, 0
 * while a member). A user removed and added again has the new stint only; the entries of the old
 * one reached the user's inbox long before (the inbox ends the old stint before it takes the new
 * one). Immutable; the home SET applies changes to it, logic asks it whom to fan an entry out to.
 *
 * <p>Departed users' stints stay in the record so that an entry from before their departure (a
 * retried or re-driven fan-out) still reaches them; at most {@link #DEPARTED_KEPT_MAX} are kept,
 * the ones that left earliest are dropped first.
 */
public final class GroupRoster {

    /** Stints of departed users kept at most in a record. */
    public static final int DEPARTED_KEPT_MAX = 1_000;

    private final long creatorUserId;
    private final GroupRecord record;
    private final Map<Long, GroupMember> stints = new TreeMap<>();

    private GroupRoster(long creatorUserId, GroupRecord record) {
        this.creatorUserId = creatorUserId;
        this.record = record;
        for (GroupMember member : record.getMembersList()) {
            stints.put(member.getUserId(), member);
        }
    }

    /**
     * The roster of a stored record of the group created by {@code creatorUserId}; a record written
     * before stints existed (members only) gets one stint per member since creation. An empty
     * record is a group that does not exist.
     */
    public static GroupRoster of(GroupRecord stored, long creatorUserId) {
        if (stored.getMembersCount() > 0 || stored.getMemberUserIdsCount() == 0) {
            return new GroupRoster(creatorUserId, stored);
        }
        GroupRecord.Builder normalized = stored.toBuilder();
        for (long user : stored.getMemberUserIdsList()) {
            normalized.addMembers(GroupMember.newBuilder().setUserId(user).setAdmin(user == creatorUserId));
        }
        return new GroupRoster(creatorUserId, normalized.build());
    }

    /** A new group's roster: every member since creation, the creator its admin. */
    public static GroupRoster created(long creatorUserId, List<Long> membersAscending, boolean showEarlierHistory) {
        GroupRecord.Builder record = GroupRecord.newBuilder().addAllMemberUserIds(membersAscending).setShowEarlierHistory(showEarlierHistory);
        for (long user : membersAscending) {
            record.addMembers(GroupMember.newBuilder().setUserId(user).setAdmin(user == creatorUserId));
        }
        return new GroupRoster(creatorUserId, record.build());
    }

    public GroupRecord record() {
        return record;
    }

    public boolean exists() {
        return record.getMemberUserIdsCount() > 0;
    }

    /** The current members, ascending. */
    public List<Long> current() {
        return record.getMemberUserIdsList();
    }

    /** conv_seq of the last membership change (0: none since creation). */
    public long version() {
        return record.getVersion();
    }

    /**
     * The first entry the members read from the conversation log (a large group, read diffusion);
     * 0 while every entry goes into every member's inbox (write diffusion).
     */
    public long readDiffusionFrom() {
        return record.getReadDiffusionFromConvSeq();
    }

    /** Whether entry {@code convSeq} is read from the log rather than fanned out into inboxes. */
    public boolean isReadDiffused(long convSeq) {
        return readDiffusionFrom() > 0 && convSeq >= readDiffusionFrom();
    }

    /**
     * This roster, switched to read diffusion from entry {@code convSeq} if it has more than
     * {@code writeDiffusionMembersMax} members (0: no limit) and is not read diffused already.
     * A group never switches back: a group shrinking below the limit and growing again would
     * otherwise flip its members between the inbox and the log.
     */
    public GroupRoster readDiffusedFrom(long convSeq, int writeDiffusionMembersMax) {
        if (readDiffusionFrom() > 0 || writeDiffusionMembersMax <= 0 || current().size() <= writeDiffusionMembersMax) {
            return this;
        }
        return new GroupRoster(creatorUserId, record.toBuilder().setReadDiffusionFromConvSeq(convSeq).build());
    }

    public Optional<GroupMember> stintOf(long userId) {
        return Optional.ofNullable(stints.get(userId));
    }

    /** Whether the user's stint covers entry {@code convSeq}. */
    public boolean isMemberAt(long userId, long convSeq) {
        GroupMember stint = stints.get(userId);
        return stint != null && stint.getJoinedConvSeq() <= convSeq && (stint.getLeftConvSeq() == 0 || convSeq <= stint.getLeftConvSeq());
    }

    /** The users whose stint covers entry {@code convSeq}, ascending: the entry's recipients. */
    public List<Long> membersAt(long convSeq) {
        List<Long> members = new ArrayList<>();
        for (GroupMember stint : stints.values()) {
            if (isMemberAt(stint.getUserId(), convSeq)) {
                members.add(stint.getUserId());
            }
        }
        return members;
    }

    public boolean isAdmin(long userId) {
        GroupMember stint = stints.get(userId);
        return stint != null && stint.getLeftConvSeq() == 0 && stint.getAdmin();
    }

    /** The first entry the user may read: 1 if the group shows earlier history, else the user's join. */
    public long visibleFrom(long userId) {
        GroupMember stint = stints.get(userId);
        if (stint == null) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of the group");
        }
        return record.getShowEarlierHistory() ? 1 : Math.max(1, stint.getJoinedConvSeq());
    }

    /** The last entry the user may read: the departure, else the conversation's head. */
    public long visibleTo(long userId, long headConvSeq) {
        GroupMember stint = stints.get(userId);
        if (stint == null) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + userId + " is not a member of the group");
        }
        return stint.getLeftConvSeq() == 0 ? headConvSeq : stint.getLeftConvSeq();
    }

    /**
     * The roster after {@code change} by {@code actor} as entry {@code convSeq}. Only an admin adds
     * or removes; any member but the creator may leave; the creator can be neither removed nor
     * leave (the group would have no admin). Throws FORBIDDEN, INVALID_REQUEST or GROUP_FULL.
     */
    public GroupRoster changed(long actor, GroupChange change, long convSeq, int membersMax) {
        checkUsers(change.getUserIdsList());
        Map<Long, GroupMember> next = new TreeMap<>(stints);
        switch (change.getKind()) {
            case MEMBERS_ADDED -> {
                requireAdmin(actor);
                for (long user : change.getUserIdsList()) {
                    if (current().contains(user)) {
                        throw new RpcException(ErrorCode.INVALID_REQUEST, "user " + user + " is a member already");
                    }
                    next.put(user, GroupMember.newBuilder().setUserId(user).setJoinedConvSeq(convSeq).build());
                }
                if (current().size() + change.getUserIdsCount() > membersMax) {
                    throw new RpcException(ErrorCode.GROUP_FULL, "a group has at most " + membersMax + " members; it has " + current().size()
                            + " and " + change.getUserIdsCount() + " would join");
                }
            }
            case MEMBERS_REMOVED -> {
                requireAdmin(actor);
                for (long user : change.getUserIdsList()) {
                    next.put(user, departing(user, convSeq, "removed"));
                }
            }
            case MEMBER_LEFT -> {
                if (!change.getUserIdsList().equals(List.of(actor))) {
                    throw new RpcException(ErrorCode.INVALID_REQUEST, "a member leaves alone: user_ids must be the actor " + actor);
                }
                next.put(actor, departing(actor, convSeq, "leave"));
            }
            default -> throw new RpcException(ErrorCode.INVALID_REQUEST, "unknown group change kind " + change.getKindValue());
        }
        return new GroupRoster(creatorUserId, build(next, convSeq));
    }

    private GroupMember departing(long user, long convSeq, String how) {
        if (!current().contains(user)) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "user " + user + " is not a member");
        }
        if (user == creatorUserId) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "the creator " + user + " cannot " + how + ": the group would have no admin");
        }
        return stints.get(user).toBuilder().setLeftConvSeq(convSeq).build();
    }

    private void requireAdmin(long actor) {
        if (!isAdmin(actor)) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + actor + " is not an admin of the group (the creator " + creatorUserId + " is)");
        }
    }

    private static void checkUsers(List<Long> users) {
        if (users.isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a group change names at least one user");
        }
        for (int i = 0; i < users.size(); i++) {
            if (users.get(i) <= 0 || (i > 0 && users.get(i) <= users.get(i - 1))) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "a group change names positive user ids, ascending, without repeats");
            }
        }
    }

    private GroupRecord build(Map<Long, GroupMember> next, long version) {
        List<GroupMember> departed = next.values().stream().filter(m -> m.getLeftConvSeq() != 0)
                .sorted(Comparator.comparingLong(GroupMember::getLeftConvSeq)).toList();
        for (int i = 0; i < departed.size() - DEPARTED_KEPT_MAX; i++) {
            next.remove(departed.get(i).getUserId());
        }
        GroupRecord.Builder record = GroupRecord.newBuilder().setVersion(version).setShowEarlierHistory(this.record.getShowEarlierHistory())
                .setReadDiffusionFromConvSeq(this.record.getReadDiffusionFromConvSeq());
        for (GroupMember member : next.values()) {
            record.addMembers(member);
            if (member.getLeftConvSeq() == 0) {
                record.addMemberUserIds(member.getUserId());
            }
        }
        return record.build();
    }
}

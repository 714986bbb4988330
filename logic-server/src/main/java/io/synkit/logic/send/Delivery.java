package io.synkit.logic.send;

import io.synkit.logic.group.ConversationMembers;
import io.synkit.logic.notify.Notifier;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import io.synkit.protocol.internal.ReadRoutesRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.UserRoutes;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.StoreSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers a committed conversation entry to its recipients, by the group's diffusion
 * (docs/architecture.md, "Decision: large groups by read diffusion"):
 *
 * <ul>
 *   <li>a 1:1 conversation, or a group entry before the group's switch to read diffusion: into
 *       every recipient's inbox ({@link Fanout#toMembers}, write diffusion);</li>
 *   <li>the entry at which a group is read from its log ({@code read_diffusion_from}: its first
 *       entry for a group created large, else the change that took it past the limit): a
 *       {@code ConvStreamOp} into every member's inbox in the entry's place, after the entries
 *       before it, so each member's devices switch from the inbox to the log exactly there;</li>
 *   <li>a later entry: nothing is written per member. A change that adds users starts their
 *       streams (a pointer each); every member's online devices get a {@code STREAM_CONV}
 *       notify, best effort (heartbeat syncs repair a lost one).</li>
 * </ul>
 */
public final class Delivery {

    /** Answered as the actor's inbox seq when the actor's inbox took nothing for the entry. */
    public static final long NO_INBOX_SEQ = 0;

    private final StoreCalls store;
    private final Fanout fanout;
    private final ConversationMembers members;
    private final Notifier notifier;
    private final Map<String, NotifyRound> rounds = new ConcurrentHashMap<>();

    public Delivery(StoreCalls store, Fanout fanout, ConversationMembers members, Notifier notifier) {
        this.store = store;
        this.fanout = fanout;
        this.members = members;
        this.notifier = notifier;
    }

    /**
     * Delivers {@code committed}; {@code versionAtEntry} is the group record's version the home SET
     * answered with it ({@link ConversationMembers#VERSION_UNKNOWN} when not known). Completes with
     * the inbox seq the entry got in {@code actorUserId}'s inbox, or {@link #NO_INBOX_SEQ}.
     */
    public CompletableFuture<Long> deliver(MessageOp committed, long versionAtEntry, long actorUserId) {
        ConversationId conv = ConversationId.parse(committed.getConvId());
        if (!conv.isGroup()) {
            return toInboxes(committed, conv.members(), actorUserId);
        }
        long convSeq = committed.getConvSeq();
        return members.rosterAt(conv, convSeq, versionAtEntry).thenCompose(roster -> {
            if (!roster.isReadDiffused(convSeq)) {
                return toInboxes(committed, roster.membersAt(convSeq), actorUserId);
            }
            if (convSeq == roster.readDiffusionFrom()) {
                return fanout.streamsFrom(committed, roster.membersAt(convSeq)).thenApply(seqs -> NO_INBOX_SEQ);
            }
            return streamsOfAdded(committed).thenApply(started -> {
                notifyMembers(committed, roster);
                return NO_INBOX_SEQ;
            });
        });
    }

    private CompletableFuture<Long> toInboxes(MessageOp committed, List<Long> recipients, long actorUserId) {
        return fanout.toMembers(committed, recipients).thenApply(seqs -> {
            int actor = recipients.indexOf(actorUserId);
            return actor < 0 ? NO_INBOX_SEQ : seqs.get(actor);
        });
    }

    /** Users added by this change read the group from its log from the change on. */
    private CompletableFuture<List<Long>> streamsOfAdded(MessageOp committed) {
        if (!committed.hasGroupChange() || committed.getGroupChange().getKind() != GroupChangeKind.MEMBERS_ADDED) {
            return CompletableFuture.completedFuture(List.of());
        }
        return fanout.streamsFrom(committed, committed.getGroupChange().getUserIdsList());
    }

    /**
     * Notifies the online devices of every recipient of the entry (a removed member's removal
     * included): one routes read per SET holding recipients, then one push per access node. At
     * most one round per group is under way; entries committed meanwhile are told by the next
     * round, whose notify names the newest of them (a device syncs to the log's head anyway), so
     * the routes of a group's members are read once per round, not once per message, however fast
     * messages come.
     */
    private void notifyMembers(MessageOp committed, GroupRoster roster) {
        String convId = committed.getConvId();
        NotifyRound round = rounds.computeIfAbsent(convId, conv -> new NotifyRound());
        synchronized (round) {
            round.newest = Math.max(round.newest, committed.getConvSeq());
            round.roster = roster.version() >= round.rosterVersion() ? roster : round.roster;
            if (round.running) {
                return;
            }
            round.running = true;
        }
        runRound(convId, round);
    }

    private void runRound(String convId, NotifyRound round) {
        long convSeq;
        GroupRoster roster;
        synchronized (round) {
            convSeq = round.newest;
            roster = round.roster;
            round.told = convSeq;
        }
        SlotMap map = store.slotMap();
        Map<StoreSet, List<Long>> bySet = new LinkedHashMap<>();
        for (long user : roster.membersAt(convSeq)) {
            bySet.computeIfAbsent(map.setOfUser(user), set -> new ArrayList<>()).add(user);
        }
        CompletableFuture<?>[] reads = bySet.entrySet().stream().map(set -> store.call(set.getKey(), StoreRequest.newBuilder()
                .setReadRoutes(ReadRoutesRequest.newBuilder().addAllUserIds(set.getValue())).build()).thenAccept(response -> {
                    List<UserRoutes> online = response.getReadRoutes().getUsersList();
                    notifier.convAdvanced(convId, convSeq, online);
                })).toArray(CompletableFuture[]::new);
        // A failed read costs these devices the notify only: their next heartbeat syncs the log.
        CompletableFuture.allOf(reads).whenComplete((done, failure) -> {
            synchronized (round) {
                if (round.newest <= round.told) {
                    round.running = false;
                    rounds.remove(convId, round);
                    return;
                }
            }
            runRound(convId, round);
        });
    }

    /** A group's notify rounds: the newest entry to tell, the one the round under way tells, whether one runs. */
    private static final class NotifyRound {
        long newest;
        long told;
        boolean running;
        GroupRoster roster;

        long rosterVersion() {
            return roster == null ? -1 : roster.version();
        }
    }
}

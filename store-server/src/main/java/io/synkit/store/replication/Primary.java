package io.synkit.store.replication;

import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.AppendReply;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.runtime.Clock;
import io.synkit.store.log.LogStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a replica holds only while it is the primary of one epoch: each backup's
 * {@link BackupProgress}, the {@link SnapshotShipping} in flight, the proposals waiting to be
 * applied, and the lease. {@link ReplicaNode} makes one when it wins an election and drops it when
 * it steps down or stops, so none of it outlives the epoch. Runs on the replica's loop; the node
 * decides, this sends appends and keeps the count.
 *
 * <p><b>Appends</b> stream: each backup is sent what it has not been sent yet, bounded per
 * message by entries and bytes and per backup by entries in flight; an empty append is a
 * heartbeat. A backup that acknowledged nothing new for two heartbeats gets everything after its
 * match again. A backup whose next entry the log dropped gets a snapshot instead.
 *
 * <p><b>Lease:</b> runs from the send time of the newest append a quorum acknowledged (the
 * primary counts itself at any time).
 *
 * <p><b>Hand-over:</b> while a {@link HandOver} runs the primary takes no writes and serves no
 * reads ({@link ReplicaNode} asks {@link #handingOver()}); once the target holds the whole log
 * and every proposal was applied ({@link #handOverTargetCaughtUp()}), the node sends it TimeoutNow
 * and steps down.
 */
final class Primary {

    private final int self;
    private final long epoch;
    private final ReplicaSettings settings;
    private final Clock clock;
    private final ReplicaLog replicaLog;
    private final LogStorage log;
    private final Transport transport;
    /** By replica id; null at this replica's own id. */
    private final BackupProgress[] backups;
    /** The same, in replica-id order without the gap: what every loop over the backups walks. */
    private final List<BackupProgress> peers;
    private final SnapshotShipping shipping;
    private final Map<Long, Proposal> proposals = new TreeMap<>();
    private final long epochStartIndex;
    private final long sinceNs;
    private long lastBroadcastNs;
    private HandOver handOver;

    /** A proposed entry of this epoch, completed with its index once applied. */
    private record Proposal(long epoch, CompletableFuture<Long> applied) {
    }

    /** Becomes primary of the log's current epoch; its first entry will be the next index. */
    Primary(int self, ReplicaSettings settings, Clock clock, ReplicaLog replicaLog, Transport transport, Snapshots snapshots) {
        this.self = self;
        this.replicaLog = replicaLog;
        this.log = replicaLog.storage();
        this.epoch = log.currentEpoch();
        this.settings = settings;
        this.clock = clock;
        this.transport = transport;
        this.sinceNs = clock.nanoTime();
        this.epochStartIndex = log.lastIndex() + 1;
        this.backups = new BackupProgress[settings.replicaCount()];
        for (int peer = 0; peer < backups.length; peer++) {
            if (peer != self) {
                backups[peer] = new BackupProgress(peer, epochStartIndex, sinceNs);
            }
        }
        this.peers = Arrays.stream(backups).filter(Objects::nonNull).toList();
        this.shipping = new SnapshotShipping(snapshots, settings);
    }

    /** Index of this epoch's first entry: the primary takes writes once it is applied (everything of earlier epochs is then applied too). */
    long epochStartIndex() {
        return epochStartIndex;
    }

    // ------------------------------------------------------------------ appends

    /** Timers: stalled snapshots, and at each heartbeat interval retransmission and an append to every backup. */
    void onTick(long nowNs) {
        shipping.checkStalled(nowNs);
        if (nowNs - lastBroadcastNs >= ms(settings.heartbeatIntervalMs())) {
            for (BackupProgress backup : peers) {
                if (!shipping.active(backup.replica)) {
                    backup.rewindIfStalled(nowNs, 2 * ms(settings.heartbeatIntervalMs()), log.firstIndex());
                }
            }
            broadcast();
        }
    }

    void broadcast() {
        lastBroadcastNs = clock.nanoTime();
        for (BackupProgress backup : peers) {
            sendAppend(backup);
        }
    }

    /**
     * Sends what the backup has not been sent yet (pipelined), bounded per message by entry count
     * and bytes, and per backup by entries in flight; an empty append is a heartbeat. Lost
     * messages are repaired by retransmission at the heartbeat.
     */
    private void sendAppend(BackupProgress backup) {
        int peer = backup.replica;
        if (backup.nextIndex() < log.firstIndex() && !shipping.active(peer)) {
            // The backup needs entries this log dropped: send the applied state instead. Empty
            // appends go on meanwhile as heartbeats.
            shipping.start(peer, epoch, clock.nanoTime());
        }
        long prevIndex = Math.max(backup.nextIndex() - 1, log.firstIndex() - 1);
        long inflight = prevIndex - backup.matchIndex();
        List<Entry> entries = new ArrayList<>();
        int bytes = 0;
        for (long index = prevIndex + 1; !shipping.active(peer) && index <= log.lastIndex() && entries.size() < settings.appendEntriesMax()
                && inflight + entries.size() < settings.inflightEntriesMax(); index++) {
            Entry entry = log.entries(index, index, 1).get(0);
            if (!entries.isEmpty() && bytes + entry.getPayload().size() > settings.appendBytesMax()) {
                break;
            }
            entries.add(entry);
            bytes += entry.getPayload().size();
        }
        backup.sent(prevIndex + entries.size());
        transport.send(peer, message().setAppend(AppendEntries.newBuilder()
                .setPrevIndex(prevIndex).setPrevEpoch(log.epochAt(prevIndex)).addAllEntries(entries)
                .setCommitIndex(replicaLog.commitIndex()).setSentAtNs(clock.nanoTime())).build());
    }

    /** The backup holds the log up to its match index; the caller advances the commit, then {@link #keepStreaming}. */
    void acknowledged(int from, AppendReply reply) {
        if (shipping.active(from) && reply.getMatchIndex() >= log.firstIndex() - 1) {
            shipping.end(from); // its log meets ours after all: no snapshot needed
        }
        backups[from].acknowledged(reply, clock.nanoTime());
    }

    /** A lagging backup gets its next entries at once, within the in-flight bound. */
    void keepStreaming(int from) {
        if (backups[from].nextIndex() <= log.lastIndex() && !shipping.active(from)) {
            sendAppend(backups[from]);
        }
    }

    /** The backup refused an append: resume where its log certainly matches (while a snapshot is on its way, refusals are expected). */
    void refused(int from, AppendReply reply) {
        backups[from].refused(reply, clock.nanoTime());
        if (!shipping.active(from)) {
            sendAppend(backups[from]);
        }
    }

    void snapshotAnswered(int from, SnapshotReply reply) {
        if (!shipping.active(from)) {
            return;
        }
        if (shipping.answered(from, reply, clock.nanoTime())) {
            backups[from].installed(reply.getSnapshotIndex(), clock.nanoTime());
            sendAppend(backups[from]);
        }
    }

    // ------------------------------------------------------------------ commit and lease

    /**
     * The highest index of this epoch that a quorum holds durably (this replica counts up to its
     * synced index), or the commit index when none is newer: older epochs' entries commit only
     * through an entry of this one.
     */
    long quorumIndex() {
        long commitIndex = replicaLog.commitIndex();
        long syncedIndex = replicaLog.syncedIndex();
        for (long index = log.lastIndex(); index > commitIndex; index--) {
            if (log.epochAt(index) != epoch) {
                break;
            }
            int holders = syncedIndex >= index ? 1 : 0;
            for (BackupProgress backup : peers) {
                holders += backup.matchIndex() >= index ? 1 : 0;
            }
            if (holders >= settings.quorum()) {
                return index;
            }
        }
        return commitIndex;
    }

    /** Send time (this replica's clock) of the newest append a quorum acknowledged. */
    long leaseBaseNs() {
        long[] acked = new long[backups.length];
        for (int replica = 0; replica < backups.length; replica++) {
            acked[replica] = backups[replica] == null ? Long.MAX_VALUE : backups[replica].ackedSentAtNs(); // the primary always counts itself
        }
        Arrays.sort(acked);
        return acked[acked.length - settings.quorum()];
    }

    /** No quorum contact for a whole maximum election timeout: a new primary may exist, let callers find it. */
    boolean lostQuorum(long nowNs) {
        return nowNs - quorumContactNs() > ms(settings.electionTimeoutMaxMs());
    }

    /** When this primary last knew a quorum followed it: the lease base, or when it became primary if no quorum answered since. */
    long quorumContactNs() {
        return Math.max(leaseBaseNs(), sinceNs);
    }

    /**
     * How far the log may be truncated, at most {@code upTo}: not past what any backup still needs
     * (its match, or the snapshot it is installing), unless it lags behind {@code lagFloorIndex}.
     */
    long truncationLimit(long upTo, long lagFloorIndex) {
        long limit = upTo;
        for (BackupProgress backup : peers) {
            limit = Math.min(limit, Math.max(Math.max(backup.matchIndex(), shipping.confirmedIndex(backup.replica)), lagFloorIndex));
        }
        return limit;
    }

    /** How far each replica is known to hold the log (this one: as far as it synced). */
    long[] matchIndexes() {
        long[] matches = new long[backups.length];
        for (int replica = 0; replica < backups.length; replica++) {
            matches[replica] = backups[replica] == null ? replicaLog.syncedIndex() : backups[replica].matchIndex();
        }
        return matches;
    }

    // ------------------------------------------------------------------ hand-over

    /** The backup holding the most of the log (the lowest id among equals): the default target of a hand-over. */
    int mostUpToDateBackup() {
        BackupProgress best = peers.get(0);
        for (BackupProgress backup : peers) {
            if (backup.matchIndex() > best.matchIndex()) {
                best = backup;
            }
        }
        return best.replica;
    }

    /** Stops writes and reads until the hand-over to {@code target} ends; the caller checked that none runs. */
    CompletableFuture<Integer> startHandOver(int target, long deadlineNs) {
        if (handOver != null) {
            throw new IllegalStateException("replica " + self + " epoch " + epoch + ": a hand-over to replica " + handOver.target() + " runs already");
        }
        handOver = new HandOver(target, deadlineNs, new CompletableFuture<>());
        // The target may already hold everything: let it confirm so at once.
        sendAppend(backups[target]);
        return handOver.done();
    }

    boolean handingOver() {
        return handOver != null;
    }

    /** The running hand-over, or null. */
    HandOver handOver() {
        return handOver;
    }

    /**
     * The target durably holds the whole log, and every entry is committed and every proposal
     * applied (so acknowledged): stepping down now loses nothing and leaves no caller waiting.
     */
    boolean handOverTargetCaughtUp() {
        long lastIndex = log.lastIndex();
        return backups[handOver.target()].matchIndex() >= lastIndex && replicaLog.commitIndex() >= lastIndex && proposals.isEmpty();
    }

    /** TimeoutNow went to the target: the hand-over is done (the node steps down next). */
    void handedOver() {
        HandOver done = handOver;
        handOver = null;
        done.sent();
    }

    /** The hand-over ends without TimeoutNow (the target did not catch up in time): writes and reads resume. */
    void endHandOver(String reason) {
        HandOver ended = handOver;
        handOver = null;
        ended.abandoned(reason);
    }

    // ------------------------------------------------------------------ proposals

    void awaitApplied(long index, CompletableFuture<Long> applied) {
        proposals.put(index, new Proposal(epoch, applied));
    }

    /** Entry {@code index} of {@code entryEpoch} was applied: its proposal is acknowledged, or refused if another epoch's entry took its place. */
    void applied(long index, long entryEpoch, String primaryHint) {
        Proposal proposal = proposals.remove(index);
        if (proposal == null) {
            return;
        }
        if (proposal.epoch() == entryEpoch) {
            proposal.applied().complete(index);
        } else {
            proposal.applied().completeExceptionally(new NotPrimaryException("entry " + index + " was replaced by epoch " + entryEpoch, primaryHint));
        }
    }

    /** No longer primary: transfers stop and every waiting proposal fails (its outcome is unknown to the caller). */
    void stepDown(String reason, String primaryHint) {
        shipping.endAll();
        if (handOver != null) {
            endHandOver(reason); // a hand-over that sent TimeoutNow completed already: this changes nothing then
        }
        Iterator<Proposal> waiting = proposals.values().iterator();
        while (waiting.hasNext()) {
            waiting.next().applied().completeExceptionally(new NotPrimaryException(reason, primaryHint));
            waiting.remove();
        }
    }

    private ReplicationMessage.Builder message() {
        return ReplicationMessage.newBuilder().setFrom(self).setEpoch(epoch);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}

package io.synkit.store.replication;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.AppendReply;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.TimeoutNow;
import io.synkit.protocol.replication.VoteReply;
import io.synkit.protocol.replication.VoteRequest;
import io.synkit.runtime.Clock;
import io.synkit.store.log.Entries;
import io.synkit.store.log.LogStorage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One replica's side of SET replication: primary-backup with a majority quorum, epochs, elections
 * and leases. Deterministic: time, randomness, network and disk are injected, so the simulation
 * drives this very class. Single-threaded: every method runs on the replica's loop.
 *
 * <p>This class holds the role and every change of it ({@link #transition}, checked against the
 * table in {@link ReplicaRole}), and routes each input to the part that handles it. What exists
 * only while primary is a {@link Primary} (backups' progress, snapshot
 * transfers, waiting proposals, the lease); the backup's part is a {@link Backup}; the election
 * timer and vote rules are an {@link Election}; the log with its commit point and the state
 * machine fed from it are a {@link ReplicaLog}.
 *
 * <p><b>Writes.</b> The primary appends a proposed entry to its log, sends it to the backups, and
 * syncs its own log. An entry is committed once a quorum (2 of 3, the primary included) holds it
 * durably and it belongs to the primary's current epoch (entries of older epochs commit with
 * it). Only committed entries are applied and only applied entries are acknowledged. A new
 * primary first commits an empty entry of its epoch, and takes writes only once that is applied:
 * so it has applied everything any earlier primary acknowledged, and seqs continue from there.
 *
 * <p><b>Elections.</b> A backup that hears no primary for a random election timeout stands
 * (after a pre-vote). A replica votes at most once per epoch, only for a candidate whose log is at
 * least as up to date as its own, and not at all while it heard from a live primary within the
 * minimum election timeout.
 *
 * <p><b>Leases and fencing.</b> The primary's lease runs {@code leaseMs} from the send time of the
 * newest append a quorum acknowledged. Because voters wait out the minimum election timeout
 * (longer than the lease) since they last heard the primary, no new primary exists while a lease
 * is valid; a deposed primary cannot commit (no quorum accepts its epoch) and stops serving
 * reads when its lease ends.
 *
 * <p><b>Log truncation and snapshots.</b> {@link #compactLog} drops the log prefix the state
 * machine holds durably, keeping what backups still need unless they lag too far. A backup whose
 * next entry the primary's log no longer holds gets the primary's applied state as a snapshot
 * ({@link Snapshots}), then the log after it.
 *
 * <p><b>Damage.</b> An entry whose CRC fails in a message was damaged on the wire: the message is
 * refused and the primary sends it again. Damage in this replica's own log, a failed fsync or a
 * failed apply stops the replica ({@link ReplicaRole#STOPPED}): only a restart, which re-reads
 * what is durable, resumes.
 *
 * <p><b>Catching up.</b> A replica that may have lost committed entries neither votes nor stands
 * until it caught up with a primary ({@link Backup}).
 *
 * <p><b>Hand-over.</b> On request ({@link #handOver}) the primary hands its role to a backup so a
 * planned restart costs no election timeout: it stops taking writes and serving reads (its lease
 * ends there), waits until the backup holds its whole log and every proposal was applied, sends
 * it TimeoutNow and steps down. The backup stands at once, without pre-vote, and its vote requests
 * say {@code hand_over}: voters need not wait out the minimum election timeout since they last
 * heard the old primary, because that primary gave up its lease before the TimeoutNow existed.
 * TimeoutNow goes out in a later step than the one that stopped writes and reads, so whoever
 * publishes the node's state between steps ({@link ReplicaLoop}) has published the end of the
 * lease first. A target that does not catch up within the minimum election timeout ends the
 * hand-over and the primary takes writes again; a lost TimeoutNow costs one election timeout.
 */
public final class ReplicaNode {

    private final int id;
    private final ReplicaSettings settings;
    private final Clock clock;
    private final Transport transport;
    private final LogStorage log;
    private final ReplicaLog replicaLog;
    private final StateMachine stateMachine;
    private final Snapshots snapshots;
    private final Election election;
    private final Backup backup;
    private ReplicaRole role = ReplicaRole.BACKUP;
    /** The epoch in which the current role was entered: a backup changes epoch only through a transition. */
    private long roleEpoch;
    /** Present exactly while {@link #role} is PRIMARY. */
    private Primary primary;
    private int primaryId = -1;
    private long lastPrimaryContactNs;
    private String stopReason;

    public ReplicaNode(int id, ReplicaSettings settings, Clock clock, RandomGenerator random, Transport transport, LogStorage log,
                       StateMachine stateMachine, Snapshots snapshots, boolean joining) {
        if (id < 0 || id >= settings.replicaCount()) {
            throw new IllegalArgumentException("replica id " + id + " outside 0.." + (settings.replicaCount() - 1));
        }
        this.id = id;
        this.settings = settings;
        this.clock = clock;
        this.transport = transport;
        this.log = log;
        this.stateMachine = stateMachine;
        this.snapshots = snapshots;
        this.election = new Election(id, settings, clock, random, log, transport);
        this.replicaLog = new ReplicaLog(id, log, stateMachine);
        if (joining && !stateMachine.needsCatchUp()) {
            stateMachine.needsCatchUp(true);
        }
        this.backup = new Backup(id, replicaLog, stateMachine, snapshots, transport);
        this.roleEpoch = log.currentEpoch();
        // A restarted replica may not know of a live primary: wait before voting, as if just heard from one.
        this.lastPrimaryContactNs = clock.nanoTime();
        election.resetTimer();
    }

    // ------------------------------------------------------------------ inputs

    /** Timers: heartbeats and lease upkeep on the primary, election timeouts elsewhere. */
    public void tick() {
        try {
            onTimers(clock.nanoTime());
        } catch (StorageFailure e) {
            stop(e.getMessage());
        }
    }

    private void onTimers(long nowNs) {
        switch (role) {
            case PRIMARY -> {
                primary.onTick(nowNs);
                if (primary.lostQuorum(nowNs)) {
                    becomeBackup(log.currentEpoch(), -1); // cut off from the quorum: let callers find the new primary
                } else {
                    continueHandOver(nowNs);
                }
            }
            case BACKUP, CANDIDATE -> {
                if (election.timedOut(nowNs)) {
                    if (backup.catchingUp()) {
                        election.resetTimer(); // may lack committed entries: must not stand
                    } else {
                        startPreVote();
                    }
                }
            }
            case STOPPED -> { }
        }
    }

    /** A proposed entry; completes with its index once committed and applied, or fails with {@link NotPrimaryException}. */
    public CompletableFuture<Long> propose(ByteString payload) {
        return propose(payload, log.currentEpoch());
    }

    /**
     * Proposes only if this replica is still the writable primary of {@code expectedEpoch}: a
     * caller that computed the entry from state of that epoch must not have it land in another.
     */
    public CompletableFuture<Long> propose(ByteString payload, long expectedEpoch) {
        if (role != ReplicaRole.PRIMARY || !writable() || log.currentEpoch() != expectedEpoch) {
            return CompletableFuture.failedFuture(new NotPrimaryException("replica " + id + " is " + role + " in epoch " + log.currentEpoch()
                    + (primary != null && primary.handingOver() ? ", handing over to replica " + primary.handOver().target()
                    : role == ReplicaRole.PRIMARY && !writable() ? ", catching up on its epoch" : "")
                    + (log.currentEpoch() != expectedEpoch ? ", not epoch " + expectedEpoch : ""), refusalHint()));
        }
        long index = log.lastIndex() + 1;
        CompletableFuture<Long> applied = new CompletableFuture<>();
        primary.awaitApplied(index, applied);
        try {
            log.append(List.of(Entries.of(log.currentEpoch(), index, payload)));
            primary.broadcast();
            syncLocal();
        } catch (StorageFailure e) {
            stop(e.getMessage());
        } catch (RuntimeException e) {
            // The append itself failed (disk full, I/O error): stop, which also fails this proposal.
            stop("log append failed: " + e.getMessage());
        }
        return applied;
    }

    public void receive(ReplicationMessage message) {
        if (role == ReplicaRole.STOPPED) {
            return;
        }
        try {
            if (message.hasVote() && message.getVote().getPreVote()) {
                onPreVote(message.getFrom(), message.getEpoch(), message.getVote());
                return;
            }
            if (message.getEpoch() > log.currentEpoch()) {
                if (message.hasVote() && !message.getVote().getHandOver() && heardFromPrimaryRecently()) {
                    return; // a live primary's lease may still run: neither adopt the epoch nor vote
                }
                becomeBackup(message.getEpoch(), -1);
            }
            if (message.getEpoch() < log.currentEpoch()) {
                refuseStale(message);
                return;
            }
            dispatch(message);
        } catch (StorageFailure e) {
            stop(e.getMessage());
        } catch (IllegalStateException e) {
            stop("invariant violated: " + e.getMessage());
            throw e; // a broken invariant is a bug: whoever runs the loop must hear of it
        }
    }

    private void dispatch(ReplicationMessage message) {
        int from = message.getFrom();
        switch (message.getBodyCase()) {
            case APPEND -> onAppend(from, message.getAppend());
            case APPEND_REPLY -> onAppendReply(from, message.getAppendReply());
            case VOTE -> onVote(from, message.getVote());
            case VOTE_REPLY -> {
                if (message.getVoteReply().getPreVote()) {
                    onPreVoteReply(from, message.getVoteReply());
                } else {
                    onVoteReply(from, message.getVoteReply());
                }
            }
            case SNAPSHOT_CHUNK -> onSnapshotChunk(from, message.getSnapshotChunk());
            case TIMEOUT_NOW -> onTimeoutNow(from);
            case SNAPSHOT_REPLY -> {
                if (role == ReplicaRole.PRIMARY) {
                    primary.snapshotAnswered(from, message.getSnapshotReply());
                }
            }
            case BODY_NOT_SET -> { }
        }
    }

    // ------------------------------------------------------------------ queries

    public int id() {
        return id;
    }

    public ReplicaRole role() {
        return role;
    }

    public long epoch() {
        return log.currentEpoch();
    }

    public long commitIndex() {
        return replicaLog.commitIndex();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    /** The replica believed primary in the current epoch, or -1. */
    public int primaryId() {
        return primaryId;
    }

    /** The believed primary's address ({@link Transport#addressOf}), or "" when unknown: where a refused caller should go. */
    public String primaryHint() {
        return primaryId >= 0 ? transport.addressOf(primaryId) : "";
    }

    public String stopReason() {
        return stopReason;
    }

    /** The primary has applied everything of earlier epochs (its epoch's first entry is applied). */
    public boolean writable() {
        return primary != null && !primary.handingOver() && stateMachine.appliedIndex() >= primary.epochStartIndex();
    }

    /** Whether this primary is handing its role over (it takes no writes and serves no reads meanwhile). */
    public boolean handingOver() {
        return primary != null && primary.handingOver();
    }

    /** Whether a read served now is linearizable: writable primary with a valid lease. */
    public boolean leaseValid() {
        return writable() && clock.nanoTime() - primary.leaseBaseNs() < ms(settings.leaseMs());
    }

    /** Monotonic time (this node's clock) until which reads are linearizable here; MIN_VALUE when not. */
    public long leaseEndNs() {
        return writable() ? primary.leaseBaseNs() + ms(settings.leaseMs()) : Long.MIN_VALUE;
    }

    public long appliedIndex() {
        return stateMachine.appliedIndex();
    }

    /**
     * Monotonic time (this node's clock) at which this replica last knew its SET had a working
     * primary: as primary, when a quorum last followed it; otherwise when it last heard its
     * primary (or started). MIN_VALUE once stopped. Readiness measures the silence from here.
     */
    public long primaryContactNs() {
        return switch (role) {
            case PRIMARY -> primary.quorumContactNs();
            case BACKUP, CANDIDATE -> lastPrimaryContactNs;
            case STOPPED -> Long.MIN_VALUE;
        };
    }

    public long firstIndex() {
        return log.firstIndex();
    }

    /** Whether this replica refrains from voting until it has caught up with a primary. */
    public boolean catchingUp() {
        return backup.catchingUp();
    }

    /** How far each replica is known to hold the log (primary only; others see zeros). */
    public long[] matchIndexes() {
        return primary != null ? primary.matchIndexes() : new long[settings.replicaCount()];
    }

    /**
     * Makes the applied state durable, then drops log entries up to {@code retainEntries} below
     * the applied index. A primary also keeps what each backup still needs, unless that backup lags
     * more than {@code lagEntriesMax} behind (it will get a snapshot instead).
     */
    public void compactLog(long retainEntries, long lagEntriesMax) {
        if (role == ReplicaRole.STOPPED) {
            return;
        }
        long applied = stateMachine.appliedIndex();
        long upTo = applied - retainEntries;
        if (primary != null) {
            upTo = primary.truncationLimit(upTo, applied - lagEntriesMax);
        }
        try {
            replicaLog.truncatePrefix(upTo);
        } catch (RuntimeException e) {
            stop("log truncation failed: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ primary

    private void onAppendReply(int from, AppendReply reply) {
        if (role != ReplicaRole.PRIMARY) {
            return;
        }
        if (reply.getSuccess()) {
            primary.acknowledged(from, reply);
            advanceCommit();
            primary.keepStreaming(from);
            continueHandOver(clock.nanoTime());
        } else {
            primary.refused(from, reply);
        }
    }

    private void advanceCommit() {
        replicaLog.raiseCommit(primary.quorumIndex());
        replicaLog.applyCommitted(this::applied);
    }

    // ------------------------------------------------------------------ hand-over

    /**
     * Hands the primary role to backup {@code target} (-1: the backup holding the most of the
     * log). Completes with the target once TimeoutNow is sent and this replica stepped down; fails
     * with {@link HandOverException} when this replica is not a writable primary, a hand-over runs
     * already, the target is not a backup of this SET, or it did not catch up in time (writes
     * resume then).
     */
    public CompletableFuture<Integer> handOver(int target) {
        if (role != ReplicaRole.PRIMARY || !writable()) {
            return CompletableFuture.failedFuture(new HandOverException("replica " + id + " is " + role + " in epoch " + log.currentEpoch()
                    + (handingOver() ? ", handing over to replica " + primary.handOver().target() + " already" : ", not a writable primary")));
        }
        int to = target >= 0 ? target : primary.mostUpToDateBackup();
        if (to == id || to >= settings.replicaCount()) {
            return CompletableFuture.failedFuture(new HandOverException("replica " + to + " is not a backup of this SET (replicas 0.."
                    + (settings.replicaCount() - 1) + ", this one is " + id + ")"));
        }
        return primary.startHandOver(to, clock.nanoTime() + ms(settings.electionTimeoutMinMs()));
    }

    /** A running hand-over sends TimeoutNow and steps down once its target caught up, or ends at its deadline. */
    private void continueHandOver(long nowNs) {
        HandOver handOver = primary == null ? null : primary.handOver();
        if (handOver == null) {
            return;
        }
        if (primary.handOverTargetCaughtUp()) {
            transport.send(handOver.target(), message().setTimeoutNow(TimeoutNow.getDefaultInstance()).build());
            primary.handedOver();
            becomeBackup(log.currentEpoch(), handOver.target());
            lastPrimaryContactNs = clock.nanoTime(); // give the target its election before anyone else's
        } else if (handOver.expired(nowNs)) {
            primary.endHandOver("replica " + handOver.target() + " did not catch up within " + settings.electionTimeoutMinMs()
                    + " ms; replica " + id + " takes writes again in epoch " + log.currentEpoch());
        }
    }

    /** Our primary handed its role to us: stand at once (a replica that may lack committed entries never stands). */
    private void onTimeoutNow(int from) {
        if (role != ReplicaRole.BACKUP || from != primaryId || backup.catchingUp()) {
            return;
        }
        startElection(true);
    }

    /** Where a refused caller should go: the hand-over's target while one runs, else the believed primary. */
    private String refusalHint() {
        return handingOver() ? transport.addressOf(primary.handOver().target()) : primaryHint();
    }

    // ------------------------------------------------------------------ backup

    private void heardFromPrimary(int from) {
        if (role == ReplicaRole.PRIMARY) {
            throw new IllegalStateException("two primaries in epoch " + log.currentEpoch() + ": replica " + id + " and replica " + from);
        }
        if (role == ReplicaRole.CANDIDATE) {
            transition(ReplicaRole.BACKUP);
        }
        primaryId = from;
        election.endPreVote();
        lastPrimaryContactNs = clock.nanoTime();
        election.resetTimer();
    }

    private void onAppend(int from, AppendEntries append) {
        heardFromPrimary(from);
        backup.onAppend(from, append);
    }

    private void onSnapshotChunk(int from, SnapshotChunk chunk) {
        heardFromPrimary(from);
        if (backup.onSnapshotChunk(from, chunk)) {
            election.resetTimer();
        }
    }

    private void refuseStale(ReplicationMessage message) {
        if (message.hasAppend()) {
            transport.send(message.getFrom(), message().setAppendReply(AppendReply.newBuilder().setSuccess(false).setLastIndex(log.lastIndex())).build());
        } else if (message.hasVote()) {
            election.answerVote(message.getFrom(), false);
        }
    }

    // ------------------------------------------------------------------ elections

    /** Asks whether a quorum would elect us in the next epoch, changing no one's epoch. */
    private void startPreVote() {
        election.resetTimer();
        if (settings.quorum() == 1) {
            startElection(false);
            return;
        }
        election.startPreVote();
    }

    private void onPreVote(int from, long proposedEpoch, VoteRequest vote) {
        election.answerPreVote(from, !backup.catchingUp() && proposedEpoch > log.currentEpoch() && !heardFromPrimaryRecently() && election.upToDate(vote));
    }

    private void onPreVoteReply(int from, VoteReply reply) {
        if (!election.preVoting() || role == ReplicaRole.PRIMARY || !reply.getGranted()) {
            return;
        }
        if (election.preVoteGranted(from)) {
            startElection(false);
        }
    }

    /** Stands in the next epoch; {@code handOver}: because the primary handed over (its vote requests say so). */
    private void startElection(boolean handOver) {
        election.endPreVote();
        transition(ReplicaRole.CANDIDATE);
        primaryId = -1;
        election.standInNextEpoch();
        if (settings.quorum() == 1) {
            becomePrimary();
            return;
        }
        election.requestVotes(handOver);
    }

    private void onVote(int from, VoteRequest vote) {
        election.answerVote(from, role == ReplicaRole.BACKUP && !backup.catchingUp() && election.mayVoteFor(from, vote));
    }

    private void onVoteReply(int from, VoteReply reply) {
        if (role != ReplicaRole.CANDIDATE || !reply.getGranted()) {
            return;
        }
        if (election.voteGranted(from)) {
            becomePrimary();
        }
    }

    /** Stickiness that protects leases: a primary with recent quorum contact, or a backup that heard one, ignores elections. */
    private boolean heardFromPrimaryRecently() {
        long nowNs = clock.nanoTime();
        return switch (role) {
            case PRIMARY -> nowNs - primary.leaseBaseNs() < ms(settings.electionTimeoutMinMs());
            case BACKUP -> nowNs - lastPrimaryContactNs < ms(settings.electionTimeoutMinMs());
            case CANDIDATE, STOPPED -> false;
        };
    }

    // ------------------------------------------------------------------ transitions

    private void becomePrimary() {
        transition(ReplicaRole.PRIMARY);
        primaryId = id;
        primary = new Primary(id, settings, clock, replicaLog, transport, snapshots);
        log.append(List.of(Entries.of(log.currentEpoch(), primary.epochStartIndex(), ByteString.EMPTY)));
        primary.broadcast();
        syncLocal();
    }

    /** Backup of {@code epoch} (adopted, with no vote, when higher than ours), following {@code primaryReplica} if known. */
    private void becomeBackup(long epoch, int primaryReplica) {
        if (epoch > log.currentEpoch()) {
            log.saveHardState(epoch, -1);
        }
        transition(ReplicaRole.BACKUP);
        primaryId = primaryReplica;
        endPrimary("replica " + id + " stepped down in epoch " + epoch);
        election.resetTimer();
    }

    /** Stops for good: no acks, no votes, no reads. Only a restart (which re-reads what is durable) resumes. */
    public void stop(String reason) {
        if (role == ReplicaRole.STOPPED) {
            return; // the first reason stands
        }
        stopReason = reason;
        transition(ReplicaRole.STOPPED);
        endPrimary("replica " + id + " stopped: " + reason);
    }

    private void endPrimary(String reason) {
        if (primary != null) {
            Primary ended = primary;
            primary = null;
            ended.stepDown(reason, primaryHint());
        }
    }

    /**
     * The only place the role changes. Legal are the transitions of {@link ReplicaRole}'s table,
     * under their preconditions: a replica stands only when it is not catching up, becomes
     * primary only having voted for itself in its epoch, and a backup becomes a backup again
     * only in a higher epoch. Anything else is a bug and throws, naming epoch, index and state.
     */
    private void transition(ReplicaRole next) {
        String unmet = !role.canBecome(next) ? "not in ReplicaRole's table" : unmetPrecondition(next);
        if (unmet != null) {
            throw new IllegalStateException("replica " + id + " epoch " + log.currentEpoch() + " index " + log.lastIndex() + " commit " + replicaLog.commitIndex()
                    + " applied " + stateMachine.appliedIndex() + ": illegal transition " + role + " -> " + next + " (" + unmet + ")");
        }
        role = next;
        roleEpoch = log.currentEpoch();
    }

    private String unmetPrecondition(ReplicaRole next) {
        return switch (next) {
            case CANDIDATE -> backup.catchingUp() ? "catching up: it may lack committed entries" : null;
            case PRIMARY -> log.votedFor() != id ? "its vote in epoch " + log.currentEpoch() + " is for " + log.votedFor() + ", not itself" : null;
            case BACKUP -> role == ReplicaRole.BACKUP && log.currentEpoch() <= roleEpoch ? "already a backup of epoch " + roleEpoch : null;
            case STOPPED -> null;
        };
    }

    // ------------------------------------------------------------------ log and state

    /** Entry {@code index} of {@code epoch} was applied: a proposal waiting for it hears. */
    private void applied(long index, long epoch) {
        if (primary != null) {
            primary.applied(index, epoch, primaryHint());
        }
    }

    /** Makes the log durable; a primary then counts itself towards the quorum again. */
    private void syncLocal() {
        replicaLog.sync();
        if (role == ReplicaRole.PRIMARY) {
            advanceCommit();
        }
    }

    private ReplicationMessage.Builder message() {
        return ReplicationMessage.newBuilder().setFrom(id).setEpoch(log.currentEpoch());
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}

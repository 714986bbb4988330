package io.synkit.store.replication;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.AppendReply;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.protocol.replication.VoteReply;
import io.synkit.protocol.replication.VoteRequest;
import io.synkit.runtime.Clock;
import io.synkit.store.log.CorruptEntryException;
import io.synkit.store.log.Entries;
import io.synkit.store.log.LogStorage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's side of SET replication: primary-backup with a majority quorum, epochs, elections
 * and leases. Deterministic: time, randomness, network and disk are injected, so the simulation
 * drives this very class. Single-threaded: every method runs on the replica's loop.
 *
 * <p><b>Writes.</b> The primary appends a proposed entry to its log, sends it to the backups, and
 * syncs its own log. An entry is committed once a quorum (2 of 3, the primary included) holds it
 * durably and it belongs to the primary's current epoch (entries of older epochs commit with
 * it). Only committed entries are applied and only applied entries are acknowledged. A new
 * primary first commits an empty entry of its epoch, and takes writes only once that is applied:
 * so it has applied everything any earlier primary acknowledged, and seqs continue from there.
 *
 * <p><b>Elections.</b> A backup that hears no primary for a random election timeout stands:
 * epoch + 1, votes for itself (durably), asks the others. A replica votes at most once per epoch,
 * only for a candidate whose log is at least as up to date as its own, and not at all while it
 * heard from a live primary within the minimum election timeout.
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
 * <p><b>Catching up.</b> A replica that may have lost committed entries it once acknowledged (a
 * replaced disk, a snapshot install cut short) neither votes nor stands until it holds everything
 * a primary of the current epoch has committed: else its vote could elect a primary missing them.
 */
public final class ReplicaNode {

    private static final Logger logger = LoggerFactory.getLogger(ReplicaNode.class);

    private final int id;
    private final ReplicaSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final Transport transport;
    private final LogStorage log;
    private final StateMachine stateMachine;
    private final Snapshots snapshots;
    private final long[] nextIndex;
    private final long[] matchIndex;
    private final long[] ackedSentAtNs;
    private final boolean[] votes;
    private final boolean[] preVotes;
    private final long[] lastProgressNs;
    /** Per peer: a snapshot is being shipped, since when it last made progress, and the index it covers once the peer confirmed a chunk. */
    private final boolean[] shipping;
    private final long[] shippingProgressNs;
    private final long[] shippingIndex;
    private final long[] shippingResentNs;
    private boolean catchingUp;
    private boolean preVoting;
    private final Map<Long, Pending> pending = new TreeMap<>();
    private ReplicaRole role = ReplicaRole.BACKUP;
    private int primaryId = -1;
    private long commitIndex;
    private long syncedIndex;
    private long epochStartIndex = Long.MAX_VALUE;
    private long electionDeadlineNs;
    private long lastPrimaryContactNs;
    private long lastBroadcastNs;
    private long primarySinceNs;
    private String stopReason;

    private record Pending(long epoch, CompletableFuture<Long> applied) {
    }

    public ReplicaNode(int id, ReplicaSettings settings, Clock clock, RandomGenerator random, Transport transport, LogStorage log,
                       StateMachine stateMachine, Snapshots snapshots, boolean joining) {
        if (id < 0 || id >= settings.replicaCount()) {
            throw new IllegalArgumentException("replica id " + id + " outside 0.." + (settings.replicaCount() - 1));
        }
        this.id = id;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.transport = transport;
        this.log = log;
        this.stateMachine = stateMachine;
        this.snapshots = snapshots;
        this.nextIndex = new long[settings.replicaCount()];
        this.matchIndex = new long[settings.replicaCount()];
        this.ackedSentAtNs = new long[settings.replicaCount()];
        this.votes = new boolean[settings.replicaCount()];
        this.preVotes = new boolean[settings.replicaCount()];
        this.lastProgressNs = new long[settings.replicaCount()];
        this.shipping = new boolean[settings.replicaCount()];
        this.shippingProgressNs = new long[settings.replicaCount()];
        this.shippingIndex = new long[settings.replicaCount()];
        this.shippingResentNs = new long[settings.replicaCount()];
        reconcileLogWithState();
        if (joining && !stateMachine.needsCatchUp()) {
            stateMachine.needsCatchUp(true);
        }
        this.catchingUp = stateMachine.needsCatchUp();
        // What is applied was committed; what is in the log was synced before the restart.
        this.commitIndex = stateMachine.appliedIndex();
        this.syncedIndex = log.lastIndex();
        // A restarted replica may not know of a live primary: wait before voting, as if just heard from one.
        this.lastPrimaryContactNs = clock.nanoTime();
        resetElectionDeadline();
    }

    /**
     * After a crash between installing a snapshot and resetting the log, or after an interrupted
     * install wiped the state, the log must restart where the state is. A log that holds the
     * applied entry with the same epoch matches the state and is kept.
     */
    private void reconcileLogWithState() {
        long applied = stateMachine.appliedIndex();
        long appliedEpoch = stateMachine.appliedEpoch();
        boolean inLog = applied >= log.firstIndex() - 1 && applied <= log.lastIndex();
        if (inLog && (appliedEpoch < 0 || log.epochAt(applied) == appliedEpoch)) {
            return;
        }
        if (appliedEpoch < 0) {
            throw new IllegalStateException("replica " + id + " applied index " + applied + " is outside its log [" + log.firstIndex() + ", "
                    + log.lastIndex() + "] and its epoch is not recorded");
        }
        log.resetTo(applied, appliedEpoch);
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
                cancelStalledSnapshots(nowNs);
                if (nowNs - lastBroadcastNs >= ms(settings.heartbeatIntervalMs())) {
                    retransmitStalled(nowNs);
                    broadcastAppend();
                }
                if (nowNs - Math.max(leaseBaseNs(), primarySinceNs) > ms(settings.electionTimeoutMaxMs())) {
                    becomeBackup(log.currentEpoch(), -1); // cut off from the quorum: let callers find the new primary
                }
            }
            case BACKUP, CANDIDATE -> {
                if (nowNs >= electionDeadlineNs) {
                    if (catchingUp) {
                        resetElectionDeadline(); // may lack committed entries: must not stand
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
                    + (role == ReplicaRole.PRIMARY && !writable() ? ", catching up on its epoch" : "")
                    + (log.currentEpoch() != expectedEpoch ? ", not epoch " + expectedEpoch : ""), primaryId));
        }
        long epoch = log.currentEpoch();
        long index = log.lastIndex() + 1;
        CompletableFuture<Long> applied = new CompletableFuture<>();
        pending.put(index, new Pending(epoch, applied));
        try {
            log.append(List.of(Entries.of(epoch, index, payload)));
            broadcastAppend();
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
                if (message.hasVote() && heardFromPrimaryRecently()) {
                    return; // a live primary's lease may still run: neither adopt the epoch nor vote
                }
                becomeBackup(message.getEpoch(), -1);
            }
            if (message.getEpoch() < log.currentEpoch()) {
                refuseStale(message);
                return;
            }
            switch (message.getBodyCase()) {
                case APPEND -> onAppend(message.getFrom(), message.getAppend());
                case APPEND_REPLY -> onAppendReply(message.getFrom(), message.getAppendReply());
                case VOTE -> onVote(message.getFrom(), message.getVote());
                case VOTE_REPLY -> {
                    if (message.getVoteReply().getPreVote()) {
                        onPreVoteReply(message.getFrom(), message.getVoteReply());
                    } else {
                        onVoteReply(message.getFrom(), message.getVoteReply());
                    }
                }
                case SNAPSHOT_CHUNK -> onSnapshotChunk(message.getFrom(), message.getSnapshotChunk());
                case SNAPSHOT_REPLY -> onSnapshotReply(message.getFrom(), message.getSnapshotReply());
                case BODY_NOT_SET -> { }
            }
        } catch (StorageFailure e) {
            stop(e.getMessage());
        } catch (IllegalStateException e) {
            stop("invariant violated: " + e.getMessage());
            throw e; // a broken invariant is a bug: whoever runs the loop must hear of it
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
        return commitIndex;
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public int primaryHint() {
        return primaryId;
    }

    public String stopReason() {
        return stopReason;
    }

    /** The primary has applied everything of earlier epochs (its epoch's first entry is applied). */
    public boolean writable() {
        return role == ReplicaRole.PRIMARY && stateMachine.appliedIndex() >= epochStartIndex;
    }

    /** Whether a read served now is linearizable: writable primary with a valid lease. */
    public boolean leaseValid() {
        return writable() && clock.nanoTime() - leaseBaseNs() < ms(settings.leaseMs());
    }

    /** Monotonic time (this node's clock) until which reads are linearizable here; MIN_VALUE when not. */
    public long leaseEndNs() {
        return writable() ? leaseBaseNs() + ms(settings.leaseMs()) : Long.MIN_VALUE;
    }

    public long appliedIndex() {
        return stateMachine.appliedIndex();
    }

    public long firstIndex() {
        return log.firstIndex();
    }

    /** Whether this replica refrains from voting until it has caught up with a primary. */
    public boolean catchingUp() {
        return catchingUp;
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
        if (role == ReplicaRole.PRIMARY) {
            for (int peer = 0; peer < settings.replicaCount(); peer++) {
                if (peer != id) {
                    upTo = Math.min(upTo, Math.max(Math.max(matchIndex[peer], shippingIndex[peer]), applied - lagEntriesMax));
                }
            }
        }
        if (upTo >= log.firstIndex()) {
            try {
                stateMachine.persist();
                log.truncatePrefix(upTo);
            } catch (RuntimeException e) {
                stop("log truncation failed: " + e.getMessage());
            }
        }
    }

    /** How far each replica is known to hold the log (primary only; others see zeros). */
    public long[] matchIndexes() {
        return Arrays.copyOf(matchIndex, matchIndex.length);
    }

    // ------------------------------------------------------------------ primary

    private void broadcastAppend() {
        lastBroadcastNs = clock.nanoTime();
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (peer != id) {
                sendAppend(peer);
            }
        }
    }

    /**
     * Sends what the peer has not been sent yet (pipelined: nextIndex advances on send, not on
     * ack), bounded per message by entry count and bytes, and per peer by entries in flight; an
     * empty append is a heartbeat. Lost messages are repaired by {@link #retransmitStalled}.
     */
    private void sendAppend(int peer) {
        if (nextIndex[peer] < log.firstIndex() && !shipping[peer]) {
            // The peer needs entries this log dropped: send the applied state instead. Empty
            // appends go on meanwhile as heartbeats.
            shipping[peer] = true;
            shippingProgressNs[peer] = clock.nanoTime();
            shippingResentNs[peer] = clock.nanoTime();
            shippingIndex[peer] = 0;
            snapshots.ship(peer, log.currentEpoch());
        }
        long prevIndex = Math.max(nextIndex[peer] - 1, log.firstIndex() - 1);
        long inflight = prevIndex - matchIndex[peer];
        List<Entry> entries = new ArrayList<>();
        int bytes = 0;
        for (long index = prevIndex + 1; !shipping[peer] && index <= log.lastIndex() && entries.size() < settings.appendEntriesMax()
                && inflight + entries.size() < INFLIGHT_ENTRIES_MAX; index++) {
            Entry entry = log.entries(index, index, 1).get(0);
            if (!entries.isEmpty() && bytes + entry.getPayload().size() > settings.appendBytesMax()) {
                break;
            }
            entries.add(entry);
            bytes += entry.getPayload().size();
        }
        nextIndex[peer] = prevIndex + entries.size() + 1;
        transport.send(peer, message().setAppend(AppendEntries.newBuilder()
                .setPrevIndex(prevIndex).setPrevEpoch(log.epochAt(prevIndex)).addAllEntries(entries)
                .setCommitIndex(commitIndex).setSentAtNs(clock.nanoTime())).build());
    }

    /**
     * A peer that acknowledged nothing new for two heartbeats gets everything after its match
     * again, as far as this log holds it: only the peer's own answer (its last index) shows that it
     * needs a snapshot, not a match index that is merely unknown since this replica became primary.
     */
    private void retransmitStalled(long nowNs) {
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (peer != id && !shipping[peer] && nextIndex[peer] - 1 > matchIndex[peer]
                    && nowNs - lastProgressNs[peer] > 2 * ms(settings.heartbeatIntervalMs())) {
                nextIndex[peer] = Math.max(matchIndex[peer] + 1, log.firstIndex());
                lastProgressNs[peer] = nowNs;
            }
        }
    }

    private void onAppendReply(int from, AppendReply reply) {
        if (role != ReplicaRole.PRIMARY) {
            return;
        }
        if (reply.getSuccess()) {
            if (shipping[from] && reply.getMatchIndex() >= log.firstIndex() - 1) {
                endShipping(from); // its log meets ours after all: no snapshot needed
            }
            if (reply.getMatchIndex() > matchIndex[from]) {
                matchIndex[from] = reply.getMatchIndex();
                lastProgressNs[from] = clock.nanoTime();
            }
            nextIndex[from] = Math.max(nextIndex[from], matchIndex[from] + 1);
            ackedSentAtNs[from] = Math.max(ackedSentAtNs[from], reply.getSentAtNs());
            advanceCommit();
            if (nextIndex[from] <= log.lastIndex() && !shipping[from]) {
                sendAppend(from); // a lagging backup: keep streaming within the in-flight bound
            }
        } else {
            if (!reply.getConflict() && reply.getLastIndex() < matchIndex[from] && reply.getSentAtNs() > ackedSentAtNs[from]) {
                // A log shorter than what the peer acknowledged, in an answer newer than that
                // acknowledgement: the peer lost its disk and rejoined empty.
                matchIndex[from] = reply.getLastIndex();
            }
            // The hint is where the backup's log certainly matches ours (its end, or its commit
            // index on a conflict); stale refusals can only move us back towards it, never past
            // what the backup acknowledged.
            nextIndex[from] = Math.max(matchIndex[from] + 1, Math.min(nextIndex[from], reply.getLastIndex() + 1));
            lastProgressNs[from] = clock.nanoTime();
            if (!shipping[from]) {
                sendAppend(from); // while a snapshot is on its way, heartbeats are refused as expected
            }
        }
    }

    private void onSnapshotReply(int from, SnapshotReply reply) {
        if (role != ReplicaRole.PRIMARY || !shipping[from]) {
            return;
        }
        if (!reply.getSuccess()) {
            endShipping(from); // the next heartbeat starts a fresh snapshot
            return;
        }
        shippingProgressNs[from] = clock.nanoTime();
        shippingIndex[from] = Math.max(shippingIndex[from], reply.getSnapshotIndex());
        if (!reply.getInstalled()) {
            snapshots.acknowledged(from, reply);
            return;
        }
        endShipping(from);
        matchIndex[from] = Math.max(matchIndex[from], reply.getSnapshotIndex());
        nextIndex[from] = matchIndex[from] + 1;
        lastProgressNs[from] = clock.nanoTime();
        sendAppend(from);
    }

    /**
     * An unanswered chunk is sent again every few heartbeats (a restarted backup answers the
     * repeat with a refusal, which starts a fresh snapshot); a transfer with no progress at all
     * for long is abandoned and started over.
     */
    private void cancelStalledSnapshots(long nowNs) {
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (!shipping[peer]) {
                continue;
            }
            if (nowNs - shippingProgressNs[peer] > SNAPSHOT_STALL_ELECTION_TIMEOUTS * ms(settings.electionTimeoutMaxMs())) {
                endShipping(peer);
            } else if (nowNs - shippingResentNs[peer] > SNAPSHOT_RESEND_HEARTBEATS * ms(settings.heartbeatIntervalMs())
                    && nowNs - shippingProgressNs[peer] > SNAPSHOT_RESEND_HEARTBEATS * ms(settings.heartbeatIntervalMs())) {
                shippingResentNs[peer] = nowNs;
                snapshots.resend(peer);
            }
        }
    }

    private void endShipping(int peer) {
        shipping[peer] = false;
        shippingIndex[peer] = 0;
        snapshots.cancel(peer);
    }

    private void advanceCommit() {
        matchIndex[id] = syncedIndex;
        for (long index = log.lastIndex(); index > commitIndex; index--) {
            if (log.epochAt(index) != log.currentEpoch()) {
                break; // older epochs' entries commit only through an entry of ours
            }
            int holders = 0;
            for (long match : matchIndex) {
                holders += match >= index ? 1 : 0;
            }
            if (holders >= settings.quorum()) {
                commitIndex = index;
                break;
            }
        }
        applyCommitted();
    }

    private long leaseBaseNs() {
        long[] acked = ackedSentAtNs.clone();
        acked[id] = Long.MAX_VALUE; // the primary always counts itself
        Arrays.sort(acked);
        return acked[acked.length - settings.quorum()];
    }

    private void becomePrimary() {
        transition(ReplicaRole.PRIMARY);
        primaryId = id;
        Arrays.fill(nextIndex, log.lastIndex() + 1);
        Arrays.fill(matchIndex, 0);
        Arrays.fill(ackedSentAtNs, 0);
        primarySinceNs = clock.nanoTime();
        Arrays.fill(lastProgressNs, primarySinceNs);
        epochStartIndex = log.lastIndex() + 1;
        log.append(List.of(Entries.of(log.currentEpoch(), epochStartIndex, ByteString.EMPTY)));
        broadcastAppend();
        syncLocal();
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
        preVoting = false;
        lastPrimaryContactNs = clock.nanoTime();
        resetElectionDeadline();
    }

    private void onAppend(int from, AppendEntries append) {
        heardFromPrimary(from);
        for (Entry entry : append.getEntriesList()) {
            try {
                Entries.checked(entry);
            } catch (CorruptEntryException e) {
                // Damaged on the wire, not on this disk: refuse the whole message before changing
                // anything; the refusal names where this log ends, so the primary sends again from there.
                logger.warn("append refused: entry damaged in transit replica={} from={} epoch={} index={} reason=\"{}\"", id, from,
                        log.currentEpoch(), e.index(), e.getMessage());
                reply(from, AppendReply.newBuilder().setSuccess(false).setLastIndex(log.lastIndex()).setCorruptIndex(Math.max(1, e.index()))
                        .setSentAtNs(append.getSentAtNs()));
                return;
            }
        }
        long prevIndex = append.getPrevIndex();
        if (prevIndex > log.lastIndex()) {
            reply(from, AppendReply.newBuilder().setSuccess(false).setLastIndex(log.lastIndex()).setSentAtNs(append.getSentAtNs()));
            return;
        }
        if (prevIndex >= log.firstIndex() - 1 && log.epochAt(prevIndex) != append.getPrevEpoch()) {
            // Our suffix from an older epoch conflicts. Everything up to our commit index is
            // committed, hence identical on the primary: resume from there in one step.
            reply(from, AppendReply.newBuilder().setSuccess(false).setConflict(true).setLastIndex(Math.min(commitIndex, prevIndex - 1))
                    .setSentAtNs(append.getSentAtNs()));
            return;
        }
        List<Entry> fresh = new ArrayList<>();
        for (Entry entry : append.getEntriesList()) {
            long index = entry.getIndex();
            if (index < log.firstIndex() || (fresh.isEmpty() && index <= log.lastIndex() && log.epochAt(index) == entry.getEpoch())) {
                continue; // held already
            }
            if (fresh.isEmpty() && index <= log.lastIndex()) {
                if (index <= commitIndex) {
                    throw new IllegalStateException("replica " + id + " asked to overwrite committed index " + index + " (commit " + commitIndex
                            + ") with epoch " + entry.getEpoch() + " over " + log.epochAt(index));
                }
                log.truncateSuffix(index);
                syncedIndex = Math.min(syncedIndex, index - 1);
            }
            fresh.add(entry);
        }
        if (!fresh.isEmpty()) {
            log.append(fresh);
        }
        syncLocal();
        long matched = prevIndex + append.getEntriesCount();
        // The primary waits for this answer to commit; applying waits for no one, so it comes after.
        reply(from, AppendReply.newBuilder().setSuccess(true).setMatchIndex(matched).setSentAtNs(append.getSentAtNs()));
        long newCommit = Math.min(append.getCommitIndex(), matched);
        if (newCommit > commitIndex) {
            commitIndex = newCommit;
            applyCommitted();
        }
        if (catchingUp) {
            finishCatchUp(from, append.getCommitIndex(), matched);
        }
    }

    /**
     * Caught up once this replica has applied an entry of the current epoch that the primary
     * reports committed: a primary commits its own epoch's entries only after all earlier
     * committed ones, so everything committed so far is here. From then on this replica may
     * vote; it votes for no one but this primary in this epoch (a vote cast before the disk was
     * lost may be forgotten).
     */
    private void finishCatchUp(int primary, long primaryCommit, long matched) {
        if (primaryCommit > matched || stateMachine.appliedIndex() < primaryCommit || primaryCommit < log.firstIndex() - 1
                || log.epochAt(primaryCommit) != log.currentEpoch()) {
            return;
        }
        if (log.votedFor() == -1) {
            log.saveHardState(log.currentEpoch(), primary);
        }
        stateMachine.persist();
        stateMachine.needsCatchUp(false);
        catchingUp = false;
    }

    private void onSnapshotChunk(int from, SnapshotChunk chunk) {
        heardFromPrimary(from);
        SnapshotReply.Builder reply = SnapshotReply.newBuilder().setSnapshotIndex(chunk.getSnapshotIndex()).setChunk(chunk.getChunk());
        if (chunk.getSnapshotIndex() <= stateMachine.appliedIndex()) {
            // Applied entries are committed, hence the primary's: the log matches up to here already.
            send(from, reply.setSuccess(true).setInstalled(true).setSnapshotIndex(stateMachine.appliedIndex()));
            return;
        }
        if (!snapshots.stage(chunk)) {
            send(from, reply.setSuccess(false));
            return;
        }
        if (!chunk.getDone()) {
            send(from, reply.setSuccess(true));
            return;
        }
        try {
            snapshots.install(chunk.getSnapshotIndex(), chunk.getSnapshotEpoch());
        } catch (RuntimeException e) {
            throw new StorageFailure("snapshot install at index " + chunk.getSnapshotIndex() + " failed: " + e.getMessage());
        }
        if (stateMachine.appliedIndex() != chunk.getSnapshotIndex() || stateMachine.appliedEpoch() != chunk.getSnapshotEpoch()) {
            throw new IllegalStateException("replica " + id + " installed snapshot " + chunk.getSnapshotIndex() + "/" + chunk.getSnapshotEpoch()
                    + " but its state is at " + stateMachine.appliedIndex() + "/" + stateMachine.appliedEpoch());
        }
        // The old log may conflict with the snapshot or end before it: start after the snapshot.
        log.resetTo(chunk.getSnapshotIndex(), chunk.getSnapshotEpoch());
        commitIndex = Math.max(commitIndex, chunk.getSnapshotIndex());
        syncedIndex = log.lastIndex();
        resetElectionDeadline();
        send(from, reply.setSuccess(true).setInstalled(true));
    }

    private void send(int to, SnapshotReply.Builder reply) {
        transport.send(to, message().setSnapshotReply(reply).build());
    }

    private void reply(int to, AppendReply.Builder reply) {
        transport.send(to, message().setAppendReply(reply).build());
    }

    private void refuseStale(ReplicationMessage message) {
        if (message.hasAppend()) {
            reply(message.getFrom(), AppendReply.newBuilder().setSuccess(false).setLastIndex(log.lastIndex()));
        } else if (message.hasVote()) {
            transport.send(message.getFrom(), message().setVoteReply(VoteReply.newBuilder().setGranted(false)).build());
        }
    }

    // ------------------------------------------------------------------ elections

    /** Asks whether a quorum would elect us in the next epoch, changing no one's epoch. */
    private void startPreVote() {
        resetElectionDeadline();
        if (settings.quorum() == 1) {
            startElection();
            return;
        }
        preVoting = true;
        Arrays.fill(preVotes, false);
        preVotes[id] = true;
        ReplicationMessage request = ReplicationMessage.newBuilder().setFrom(id).setEpoch(log.currentEpoch() + 1)
                .setVote(VoteRequest.newBuilder().setLastIndex(log.lastIndex()).setLastEpoch(log.epochAt(log.lastIndex())).setPreVote(true)).build();
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (peer != id) {
                transport.send(peer, request);
            }
        }
    }

    private void onPreVote(int from, long proposedEpoch, VoteRequest vote) {
        boolean granted = !catchingUp && proposedEpoch > log.currentEpoch() && !heardFromPrimaryRecently() && upToDate(vote);
        transport.send(from, message().setVoteReply(VoteReply.newBuilder().setGranted(granted).setPreVote(true)).build());
    }

    private void onPreVoteReply(int from, VoteReply reply) {
        if (!preVoting || role == ReplicaRole.PRIMARY || !reply.getGranted()) {
            return;
        }
        preVotes[from] = true;
        int granted = 0;
        for (boolean vote : preVotes) {
            granted += vote ? 1 : 0;
        }
        if (granted >= settings.quorum()) {
            preVoting = false;
            startElection();
        }
    }

    private boolean upToDate(VoteRequest vote) {
        long lastEpoch = log.epochAt(log.lastIndex());
        return vote.getLastEpoch() > lastEpoch || (vote.getLastEpoch() == lastEpoch && vote.getLastIndex() >= log.lastIndex());
    }

    private void startElection() {
        preVoting = false;
        transition(ReplicaRole.CANDIDATE);
        primaryId = -1;
        log.saveHardState(log.currentEpoch() + 1, id);
        Arrays.fill(votes, false);
        votes[id] = true;
        resetElectionDeadline();
        if (settings.quorum() == 1) {
            becomePrimary();
            return;
        }
        ReplicationMessage request = message().setVote(VoteRequest.newBuilder()
                .setLastIndex(log.lastIndex()).setLastEpoch(log.epochAt(log.lastIndex()))).build();
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (peer != id) {
                transport.send(peer, request);
            }
        }
    }

    private void onVote(int from, VoteRequest vote) {
        boolean free = log.votedFor() == -1 || log.votedFor() == from;
        boolean granted = role == ReplicaRole.BACKUP && !catchingUp && free && upToDate(vote);
        if (granted) {
            log.saveHardState(log.currentEpoch(), from);
            resetElectionDeadline();
        }
        transport.send(from, message().setVoteReply(VoteReply.newBuilder().setGranted(granted)).build());
    }

    private void onVoteReply(int from, VoteReply reply) {
        if (role != ReplicaRole.CANDIDATE || !reply.getGranted()) {
            return;
        }
        votes[from] = true;
        int granted = 0;
        for (boolean vote : votes) {
            granted += vote ? 1 : 0;
        }
        if (granted >= settings.quorum()) {
            becomePrimary();
        }
    }

    /** Stickiness that protects leases: a primary with recent quorum contact, or a backup that heard one, ignores elections. */
    private boolean heardFromPrimaryRecently() {
        long nowNs = clock.nanoTime();
        return switch (role) {
            case PRIMARY -> nowNs - leaseBaseNs() < ms(settings.electionTimeoutMinMs());
            case BACKUP -> nowNs - lastPrimaryContactNs < ms(settings.electionTimeoutMinMs());
            case CANDIDATE, STOPPED -> false;
        };
    }

    // ------------------------------------------------------------------ shared

    private void becomeBackup(long epoch, int primary) {
        if (epoch > log.currentEpoch()) {
            log.saveHardState(epoch, -1);
        }
        if (role != ReplicaRole.BACKUP) {
            transition(ReplicaRole.BACKUP);
        }
        primaryId = primary;
        epochStartIndex = Long.MAX_VALUE;
        endAllShipping();
        failPending("replica " + id + " stepped down in epoch " + epoch);
        resetElectionDeadline();
    }

    private void applyCommitted() {
        // Never apply past what this replica holds durably itself: a restart must find every
        // applied entry in its own log.
        while (stateMachine.appliedIndex() < Math.min(commitIndex, syncedIndex)) {
            long index = stateMachine.appliedIndex() + 1;
            List<Entry> next = log.entries(index, index, 1);
            if (next.isEmpty()) {
                throw new IllegalStateException("replica " + id + " misses committed entry " + index + " (log " + log.firstIndex() + ".." + log.lastIndex() + ")");
            }
            Entry entry;
            try {
                entry = Entries.checked(next.get(0));
            } catch (CorruptEntryException e) {
                throw new StorageFailure("own log damaged: " + e.getMessage());
            }
            try {
                stateMachine.apply(entry);
            } catch (RuntimeException e) {
                throw new StorageFailure("applying entry " + index + " failed: " + e.getMessage());
            }
            Pending waiting = pending.remove(index);
            if (waiting != null) {
                if (waiting.epoch() == entry.getEpoch()) {
                    waiting.applied().complete(index);
                } else {
                    waiting.applied().completeExceptionally(new NotPrimaryException("entry " + index + " was replaced by epoch " + entry.getEpoch(), primaryId));
                }
            }
        }
    }

    private void syncLocal() {
        try {
            log.sync();
        } catch (RuntimeException e) {
            throw new StorageFailure("log sync failed: " + e.getMessage());
        }
        syncedIndex = log.lastIndex();
        if (role == ReplicaRole.PRIMARY) {
            advanceCommit();
        }
    }

    /** Stops for good: no acks, no votes, no reads. Only a restart (which re-reads what is durable) resumes. */
    public void stop(String reason) {
        if (role == ReplicaRole.STOPPED) {
            return;
        }
        stopReason = reason;
        role = ReplicaRole.STOPPED;
        endAllShipping();
        failPending("replica " + id + " stopped: " + reason);
    }

    private void endAllShipping() {
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (shipping[peer]) {
                endShipping(peer);
            }
        }
    }

    private void failPending(String reason) {
        Iterator<Pending> waiting = pending.values().iterator();
        while (waiting.hasNext()) {
            waiting.next().applied().completeExceptionally(new NotPrimaryException(reason, primaryId));
            waiting.remove();
        }
    }

    private void transition(ReplicaRole next) {
        if (!role.canBecome(next)) {
            throw new IllegalStateException("replica " + id + " epoch " + log.currentEpoch() + " index " + log.lastIndex()
                    + ": illegal transition " + role + " -> " + next);
        }
        role = next;
    }

    private void resetElectionDeadline() {
        long spanMs = settings.electionTimeoutMaxMs() - settings.electionTimeoutMinMs();
        electionDeadlineNs = clock.nanoTime() + ms(settings.electionTimeoutMinMs() + random.nextLong(spanMs + 1));
    }

    private ReplicationMessage.Builder message() {
        return ReplicationMessage.newBuilder().setFrom(id).setEpoch(log.currentEpoch());
    }

    /** Entries sent to a peer and not yet acknowledged, at most: bounds memory and catch-up bursts. */
    static final long INFLIGHT_ENTRIES_MAX = 64;

    /** A snapshot transfer with no acknowledged chunk for this many maximum election timeouts is abandoned and started over. */
    static final long SNAPSHOT_STALL_ELECTION_TIMEOUTS = 10;

    /** An unacknowledged snapshot chunk is sent again after this many heartbeat intervals. */
    static final long SNAPSHOT_RESEND_HEARTBEATS = 3;

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** A disk failure surfaced inside message handling; the replica stops. */
    private static final class StorageFailure extends RuntimeException {
        StorageFailure(String message) {
            super(message, null, false, false);
        }
    }
}

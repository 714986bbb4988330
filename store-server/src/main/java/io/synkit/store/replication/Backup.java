package io.synkit.store.replication;

import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.AppendReply;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.store.log.CorruptEntryException;
import io.synkit.store.log.Entries;
import io.synkit.store.log.LogStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's part of replication: it takes the primary's appends into its log (refusing what
 * does not match, or what was damaged on the wire), applies what the primary reports committed,
 * and installs the primary's snapshot when its log fell behind the primary's truncated prefix.
 * {@link ReplicaNode} hands it a message once it has heard from the primary of the message's epoch.
 *
 * <p>Unlike {@link Primary} it outlives roles, because of one piece of state: whether this replica
 * is catching up (it may have lost committed entries it once acknowledged: a replaced disk, a
 * snapshot install cut short), in which case it neither votes nor stands until it holds
 * everything a primary of the current epoch has committed; else its vote could elect a primary
 * missing them.
 */
final class Backup {

    private static final Logger logger = LoggerFactory.getLogger(Backup.class);
    /** A backup applies only what it learns is committed; no proposal waits on it. */
    private static final ReplicaLog.AppliedListener NO_PROPOSALS = (index, epoch) -> { };

    private final int self;
    private final ReplicaLog replicaLog;
    private final LogStorage log;
    private final StateMachine stateMachine;
    private final Snapshots snapshots;
    private final Transport transport;
    private boolean catchingUp;

    Backup(int self, ReplicaLog replicaLog, StateMachine stateMachine, Snapshots snapshots, Transport transport) {
        this.self = self;
        this.replicaLog = replicaLog;
        this.log = replicaLog.storage();
        this.stateMachine = stateMachine;
        this.snapshots = snapshots;
        this.transport = transport;
        this.catchingUp = stateMachine.needsCatchUp();
    }

    /** Whether this replica refrains from voting and standing until it has caught up with a primary. */
    boolean catchingUp() {
        return catchingUp;
    }

    void onAppend(int from, AppendEntries append) {
        if (refusedAsDamaged(from, append)) {
            return;
        }
        long prevIndex = append.getPrevIndex();
        if (prevIndex > log.lastIndex()) {
            reply(from, AppendReply.newBuilder().setSuccess(false).setLastIndex(log.lastIndex()).setSentAtNs(append.getSentAtNs()));
            return;
        }
        if (prevIndex >= log.firstIndex() - 1 && log.epochAt(prevIndex) != append.getPrevEpoch()) {
            // Our suffix from an older epoch conflicts. Everything up to our commit index is
            // committed, hence identical on the primary: resume from there in one step.
            reply(from, AppendReply.newBuilder().setSuccess(false).setConflict(true)
                    .setLastIndex(Math.min(replicaLog.commitIndex(), prevIndex - 1)).setSentAtNs(append.getSentAtNs()));
            return;
        }
        replicaLog.appendFromPrimary(append);
        replicaLog.sync();
        long matched = prevIndex + append.getEntriesCount();
        // The primary waits for this answer to commit; applying waits for no one, so it comes after.
        reply(from, AppendReply.newBuilder().setSuccess(true).setMatchIndex(matched).setSentAtNs(append.getSentAtNs()));
        if (replicaLog.raiseCommit(Math.min(append.getCommitIndex(), matched))) {
            replicaLog.applyCommitted(NO_PROPOSALS);
        }
        if (catchingUp) {
            finishCatchUp(from, append.getCommitIndex(), matched);
        }
    }

    /**
     * An entry whose CRC fails was damaged on the wire, not on this disk: the whole message is
     * refused before anything changes, naming where this log ends, so the primary sends again.
     */
    private boolean refusedAsDamaged(int from, AppendEntries append) {
        for (Entry entry : append.getEntriesList()) {
            try {
                Entries.checked(entry);
            } catch (CorruptEntryException e) {
                logger.warn("append refused: entry damaged in transit replica={} from={} epoch={} index={} reason=\"{}\"", self, from,
                        log.currentEpoch(), e.index(), e.getMessage());
                reply(from, AppendReply.newBuilder().setSuccess(false).setLastIndex(log.lastIndex()).setCorruptIndex(Math.max(1, e.index()))
                        .setSentAtNs(append.getSentAtNs()));
                return true;
            }
        }
        return false;
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

    /** Stages a snapshot chunk, and installs the snapshot with its last one; true once installed (the log restarts after it). */
    boolean onSnapshotChunk(int from, SnapshotChunk chunk) {
        SnapshotReply.Builder reply = SnapshotReply.newBuilder().setSnapshotIndex(chunk.getSnapshotIndex()).setChunk(chunk.getChunk());
        if (chunk.getSnapshotIndex() <= stateMachine.appliedIndex()) {
            // Applied entries are committed, hence the primary's: the log matches up to here already.
            send(from, reply.setSuccess(true).setInstalled(true).setSnapshotIndex(stateMachine.appliedIndex()));
            return false;
        }
        if (!snapshots.stage(chunk)) {
            send(from, reply.setSuccess(false));
            return false;
        }
        if (!chunk.getDone()) {
            send(from, reply.setSuccess(true));
            return false;
        }
        try {
            snapshots.install(chunk.getSnapshotIndex(), chunk.getSnapshotEpoch());
        } catch (RuntimeException e) {
            throw new StorageFailure("snapshot install at index " + chunk.getSnapshotIndex() + " failed: " + e.getMessage());
        }
        if (stateMachine.appliedIndex() != chunk.getSnapshotIndex() || stateMachine.appliedEpoch() != chunk.getSnapshotEpoch()) {
            throw new IllegalStateException("replica " + self + " installed snapshot " + chunk.getSnapshotIndex() + "/" + chunk.getSnapshotEpoch()
                    + " but its state is at " + stateMachine.appliedIndex() + "/" + stateMachine.appliedEpoch());
        }
        replicaLog.restartAfterSnapshot(chunk.getSnapshotIndex(), chunk.getSnapshotEpoch());
        send(from, reply.setSuccess(true).setInstalled(true));
        return true;
    }

    private void send(int to, SnapshotReply.Builder reply) {
        transport.send(to, message().setSnapshotReply(reply).build());
    }

    private void reply(int to, AppendReply.Builder reply) {
        transport.send(to, message().setAppendReply(reply).build());
    }

    private ReplicationMessage.Builder message() {
        return ReplicationMessage.newBuilder().setFrom(self).setEpoch(log.currentEpoch());
    }
}

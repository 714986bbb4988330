package io.synkit.store.replication;

/**
 * The role of a replica in its SET. Every change of role goes through
 * {@code ReplicaNode.transition}, which allows exactly these (anything else is a bug and throws,
 * naming epoch, index and state):
 *
 * <pre>
 * BACKUP    -> BACKUP     a message of a higher epoch: the backup adopts that epoch (no vote, primary unknown)
 * BACKUP    -> CANDIDATE  election timeout without hearing from a primary, then a quorum of pre-votes; or at once on its primary's TimeoutNow (hand-over)
 * CANDIDATE -> CANDIDATE  election timeout again, then a quorum of pre-votes (next epoch)
 * CANDIDATE -> PRIMARY    votes from a quorum in its epoch
 * CANDIDATE -> BACKUP     a primary of its epoch or any higher epoch appears
 * PRIMARY   -> BACKUP     a higher epoch appears, no quorum contact for a whole election timeout, or it handed over (sent TimeoutNow)
 * BACKUP    -> STOPPED    a failed fsync or apply, damage in its own log, or a broken invariant
 * CANDIDATE -> STOPPED    the same
 * PRIMARY   -> STOPPED    the same
 * STOPPED   -> (none)     only a restart, which re-reads what is durable, leaves it
 * </pre>
 *
 * A replica starts as BACKUP (that is no transition). Preconditions checked with the table: a
 * replica catching up never becomes CANDIDATE; a CANDIDATE becomes PRIMARY only having voted for
 * itself in its epoch; BACKUP -> BACKUP needs an epoch higher than the one the backup was in.
 */
public enum ReplicaRole {
    BACKUP,
    CANDIDATE,
    PRIMARY,
    STOPPED;

    boolean canBecome(ReplicaRole next) {
        return switch (this) {
            case BACKUP -> next == BACKUP || next == CANDIDATE || next == STOPPED;
            case CANDIDATE -> next == CANDIDATE || next == PRIMARY || next == BACKUP || next == STOPPED;
            case PRIMARY -> next == BACKUP || next == STOPPED;
            case STOPPED -> false;
        };
    }
}

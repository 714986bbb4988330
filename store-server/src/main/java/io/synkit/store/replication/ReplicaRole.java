package io.synkit.store.replication;

/**
 * The role of a replica in its SET. Legal transitions (anything else is a bug and throws):
 *
 * <pre>
 * BACKUP    -> CANDIDATE  election timeout without hearing from a primary
 * CANDIDATE -> CANDIDATE  election timeout again (next epoch)
 * CANDIDATE -> PRIMARY    votes from a quorum in its epoch
 * CANDIDATE -> BACKUP     a primary of its epoch or any higher epoch appears
 * PRIMARY   -> BACKUP     a higher epoch appears, or no quorum contact for a whole election timeout
 * any       -> STOPPED    a failed fsync or a broken invariant; only a restart leaves it
 * </pre>
 */
public enum ReplicaRole {
    BACKUP,
    CANDIDATE,
    PRIMARY,
    STOPPED;

    boolean canBecome(ReplicaRole next) {
        return switch (this) {
            case BACKUP -> next == CANDIDATE || next == BACKUP || next == STOPPED;
            case CANDIDATE -> next == CANDIDATE || next == PRIMARY || next == BACKUP || next == STOPPED;
            case PRIMARY -> next == BACKUP || next == STOPPED;
            case STOPPED -> false;
        };
    }
}

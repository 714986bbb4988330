package io.synkit.store.replication;

/**
 * A failure of this replica's own disk (a failed fsync, append, apply or install, or damage in its
 * own log) surfaced inside a step of the replica: {@link ReplicaNode} stops on it. Not a bug: the
 * replica recovers from what is durable on restart.
 */
final class StorageFailure extends RuntimeException {

    StorageFailure(String message) {
        super(message, null, false, false);
    }
}

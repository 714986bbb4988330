package io.synkit.store.replication;

import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;

/**
 * State transfer to a backup whose next entry the primary's log no longer holds (a new or wiped
 * replica, or one that lagged past the truncated prefix). Primary side: ships a copy of the applied
 * state in chunks, stop-and-wait. Backup side: stages chunks durably, then installs the staged copy
 * in place of the state machine's state.
 *
 * <p>Called on the replica's loop only. Shipping may read files on its own thread and send its
 * chunks through the transport itself.
 */
public interface Snapshots {

    /** Primary: starts sending the current applied state to {@code peer}, as messages of {@code epoch}. */
    void ship(int peer, long epoch);

    /** Primary: {@code peer} stored a chunk; send the next one. */
    void acknowledged(int peer, SnapshotReply reply);

    /** Primary: the last chunk sent to {@code peer} went unanswered for a while; send it again (the backup ignores a repeat). */
    void resend(int peer);

    /** Primary: stops shipping to {@code peer} (refused, stalled, done, or no longer primary). */
    void cancel(int peer);

    /** Backup: stores a chunk durably enough to survive until install; false when it is not the next chunk expected. */
    boolean stage(SnapshotChunk chunk);

    /**
     * Backup: replaces the state machine's state by the staged snapshot, durably; afterwards the
     * state machine's applied index and epoch are the snapshot's.
     */
    void install(long snapshotIndex, long snapshotEpoch);
}

package io.synkit.store.replication;

import io.synkit.protocol.replication.SnapshotReply;
import java.util.concurrent.TimeUnit;

/**
 * A primary's snapshot transfers, at most one per backup: started when a backup needs entries the
 * log no longer holds, ended when the backup installed it, refused a chunk, stalled, or its log met
 * the primary's after all. The bytes move through {@link Snapshots}; this class keeps the
 * timing: an unanswered chunk is sent again every {@code snapshotResendMs}, a transfer without
 * progress for {@code snapshotStallMs} is abandoned (the next heartbeat starts a fresh one).
 * Lives in a {@link Primary}.
 */
final class SnapshotShipping {

    private final Snapshots snapshots;
    private final long resendNs;
    private final long stallNs;
    /** By replica id: the transfer to that backup, or null. */
    private final Transfer[] transfers;

    /** One backup's transfer: when it last progressed or was resent, and the index it covers once a chunk was confirmed. */
    private static final class Transfer {
        long progressNs;
        long resentNs;
        long confirmedIndex;

        Transfer(long nowNs) {
            this.progressNs = nowNs;
            this.resentNs = nowNs;
        }
    }

    SnapshotShipping(Snapshots snapshots, ReplicaSettings settings) {
        this.snapshots = snapshots;
        this.resendNs = TimeUnit.MILLISECONDS.toNanos(settings.snapshotResendMs());
        this.stallNs = TimeUnit.MILLISECONDS.toNanos(settings.snapshotStallMs());
        this.transfers = new Transfer[settings.replicaCount()];
    }

    boolean active(int peer) {
        return transfers[peer] != null;
    }

    /** The index of the snapshot the backup confirmed a chunk of (log truncation keeps what follows it); 0 when none. */
    long confirmedIndex(int peer) {
        return transfers[peer] == null ? 0 : transfers[peer].confirmedIndex;
    }

    void start(int peer, long epoch, long nowNs) {
        transfers[peer] = new Transfer(nowNs);
        snapshots.ship(peer, epoch);
    }

    /** Handles the backup's answer to a chunk; true once the backup installed the snapshot (the transfer is over). */
    boolean answered(int peer, SnapshotReply reply, long nowNs) {
        if (!reply.getSuccess()) {
            end(peer); // the next heartbeat starts a fresh snapshot
            return false;
        }
        Transfer transfer = transfers[peer];
        transfer.progressNs = nowNs;
        transfer.confirmedIndex = Math.max(transfer.confirmedIndex, reply.getSnapshotIndex());
        if (!reply.getInstalled()) {
            snapshots.acknowledged(peer, reply);
            return false;
        }
        end(peer);
        return true;
    }

    /**
     * An unanswered chunk is sent again every {@code snapshotResendMs} (a restarted backup answers
     * the repeat with a refusal, which starts a fresh snapshot); a transfer with no progress at all
     * for {@code snapshotStallMs} is abandoned and started over.
     */
    void checkStalled(long nowNs) {
        for (int peer = 0; peer < transfers.length; peer++) {
            Transfer transfer = transfers[peer];
            if (transfer == null) {
                continue;
            }
            if (nowNs - transfer.progressNs > stallNs) {
                end(peer);
            } else if (nowNs - transfer.resentNs > resendNs && nowNs - transfer.progressNs > resendNs) {
                transfer.resentNs = nowNs;
                snapshots.resend(peer);
            }
        }
    }

    void end(int peer) {
        transfers[peer] = null;
        snapshots.cancel(peer);
    }

    void endAll() {
        for (int peer = 0; peer < transfers.length; peer++) {
            if (transfers[peer] != null) {
                end(peer);
            }
        }
    }
}

package io.synkit.store.replication;

import io.synkit.protocol.replication.AppendReply;

/**
 * Where one backup stands, as its primary sees it. Lives in a {@link Primary}: a new primary
 * starts every backup afresh, knowing nothing it has not heard in its own epoch.
 *
 * <p>{@code nextIndex} is the next entry to send; it advances on send, not on acknowledgement
 * (appends are pipelined). {@code matchIndex} is how far the backup durably holds a log that
 * matches the primary's. {@code ackedSentAtNs} is the primary's send time of the newest append
 * the backup acknowledged: the lease is measured from it. {@code lastProgressNs} is when the
 * backup last acknowledged something new (or was rewound), for retransmission.
 */
final class BackupProgress {

    final int replica;
    private long nextIndex;
    private long matchIndex;
    private long ackedSentAtNs;
    private long lastProgressNs;

    BackupProgress(int replica, long nextIndex, long nowNs) {
        this.replica = replica;
        this.nextIndex = nextIndex;
        this.lastProgressNs = nowNs;
    }

    long nextIndex() {
        return nextIndex;
    }

    long matchIndex() {
        return matchIndex;
    }

    long ackedSentAtNs() {
        return ackedSentAtNs;
    }

    /** Entries up to {@code lastSentIndex} are on their way. */
    void sent(long lastSentIndex) {
        nextIndex = lastSentIndex + 1;
    }

    void acknowledged(AppendReply reply, long nowNs) {
        if (reply.getMatchIndex() > matchIndex) {
            matchIndex = reply.getMatchIndex();
            lastProgressNs = nowNs;
        }
        nextIndex = Math.max(nextIndex, matchIndex + 1);
        ackedSentAtNs = Math.max(ackedSentAtNs, reply.getSentAtNs());
    }

    void refused(AppendReply reply, long nowNs) {
        if (!reply.getConflict() && reply.getLastIndex() < matchIndex && reply.getSentAtNs() > ackedSentAtNs) {
            // A log shorter than what the backup acknowledged, in an answer newer than that
            // acknowledgement: the backup lost its disk and rejoined empty.
            matchIndex = reply.getLastIndex();
        }
        // The hint is where the backup's log certainly matches ours (its end, or its commit
        // index on a conflict); stale refusals can only move us back towards it, never past
        // what the backup acknowledged.
        nextIndex = Math.max(matchIndex + 1, Math.min(nextIndex, reply.getLastIndex() + 1));
        lastProgressNs = nowNs;
    }

    /** The backup installed a snapshot up to {@code snapshotIndex}: the log resumes after it. */
    void installed(long snapshotIndex, long nowNs) {
        matchIndex = Math.max(matchIndex, snapshotIndex);
        nextIndex = matchIndex + 1;
        lastProgressNs = nowNs;
    }

    /**
     * Entries were sent and nothing new acknowledged for longer than {@code stallNs}: send
     * everything after the match again, as far as the log (starting at {@code firstIndex}) holds it.
     */
    void rewindIfStalled(long nowNs, long stallNs, long firstIndex) {
        if (nextIndex - 1 > matchIndex && nowNs - lastProgressNs > stallNs) {
            nextIndex = Math.max(matchIndex + 1, firstIndex);
            lastProgressNs = nowNs;
        }
    }
}

package io.synkit.store.replication;

import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.log.CorruptEntryException;
import io.synkit.store.log.Entries;
import io.synkit.store.log.LogStorage;
import java.util.ArrayList;
import java.util.List;

/**
 * This replica's log with its commit point, and the state machine fed from it. Four indexes, in
 * an order that never breaks: applied <= min(committed, synced), synced <= last. Entries are
 * applied only once committed, and never past what this replica holds durably itself: a restart
 * must find every applied entry in its own log.
 */
final class ReplicaLog {

    /** Hears of each entry as it is applied, in index order. */
    @FunctionalInterface
    interface AppliedListener {
        void applied(long index, long epoch);
    }

    /**
     * Entries applied in one state machine write at most: a backup catching up applies thousands,
     * and one write of all of them would hold that many batches' bytes at once.
     */
    static final int APPLY_ENTRIES_MAX = 64;

    private final int replica;
    private final LogStorage log;
    private final StateMachine stateMachine;
    private long commitIndex;
    private long syncedIndex;

    ReplicaLog(int replica, LogStorage log, StateMachine stateMachine) {
        this.replica = replica;
        this.log = log;
        this.stateMachine = stateMachine;
        reconcileLogWithState();
        // What is applied was committed; what is in the log was synced before the restart.
        this.commitIndex = stateMachine.appliedIndex();
        this.syncedIndex = log.lastIndex();
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
            throw new IllegalStateException("replica " + replica + " applied index " + applied + " is outside its log [" + log.firstIndex() + ", "
                    + log.lastIndex() + "] and its epoch is not recorded");
        }
        log.resetTo(applied, appliedEpoch);
    }

    LogStorage storage() {
        return log;
    }

    long commitIndex() {
        return commitIndex;
    }

    long syncedIndex() {
        return syncedIndex;
    }

    long appliedIndex() {
        return stateMachine.appliedIndex();
    }

    /** Makes everything appended durable; a failure stops the replica (fsyncgate: never retried, never acknowledged). */
    void sync() {
        try {
            log.sync();
        } catch (RuntimeException e) {
            throw new StorageFailure("log sync failed: " + e.getMessage());
        }
        syncedIndex = log.lastIndex();
    }

    /** Moves the commit point up to {@code index}; false when it is there already. */
    boolean raiseCommit(long index) {
        if (index <= commitIndex) {
            return false;
        }
        commitIndex = index;
        return true;
    }

    /** Applies every committed entry this replica holds durably, in writes of at most {@link #APPLY_ENTRIES_MAX} entries. */
    void applyCommitted(AppliedListener listener) {
        while (stateMachine.appliedIndex() < Math.min(commitIndex, syncedIndex)) {
            long from = stateMachine.appliedIndex() + 1;
            long to = Math.min(commitIndex, syncedIndex);
            List<Entry> next = log.entries(from, to, APPLY_ENTRIES_MAX);
            if (next.isEmpty() || next.get(0).getIndex() != from) {
                throw new IllegalStateException("replica " + replica + " misses committed entry " + from + " (log " + log.firstIndex() + ".."
                        + log.lastIndex() + ")");
            }
            List<Entry> checked = new ArrayList<>(next.size());
            for (Entry entry : next) {
                try {
                    checked.add(Entries.checked(entry));
                } catch (CorruptEntryException e) {
                    throw new StorageFailure("own log damaged: " + e.getMessage());
                }
            }
            try {
                stateMachine.applyAll(checked);
            } catch (RuntimeException e) {
                throw new StorageFailure("applying entries " + from + ".." + checked.get(checked.size() - 1).getIndex() + " failed: " + e.getMessage());
            }
            for (Entry entry : checked) {
                listener.applied(entry.getIndex(), entry.getEpoch());
            }
        }
    }

    /**
     * Takes a primary's entries that follow {@code append.prevIndex}, which the caller checked to
     * match: entries held already are skipped, a conflicting uncommitted suffix is cut first.
     * Buffered; the caller syncs.
     */
    void appendFromPrimary(AppendEntries append) {
        List<Entry> fresh = new ArrayList<>();
        for (Entry entry : append.getEntriesList()) {
            long index = entry.getIndex();
            if (index < log.firstIndex() || (fresh.isEmpty() && index <= log.lastIndex() && log.epochAt(index) == entry.getEpoch())) {
                continue; // held already
            }
            if (fresh.isEmpty() && index <= log.lastIndex()) {
                if (index <= commitIndex) {
                    throw new IllegalStateException("replica " + replica + " asked to overwrite committed index " + index + " (commit "
                            + commitIndex + ") with epoch " + entry.getEpoch() + " over " + log.epochAt(index));
                }
                log.truncateSuffix(index);
                syncedIndex = Math.min(syncedIndex, index - 1);
            }
            fresh.add(entry);
        }
        if (!fresh.isEmpty()) {
            log.append(fresh);
        }
    }

    /** A snapshot up to {@code (index, epoch)} replaced the state: the old log may conflict with it or end before it, so it starts after it. */
    void restartAfterSnapshot(long index, long epoch) {
        log.resetTo(index, epoch);
        commitIndex = Math.max(commitIndex, index);
        syncedIndex = log.lastIndex();
    }

    /** Makes the applied state durable, then drops log entries up to {@code upToIndex} (if the log still holds any). */
    void truncatePrefix(long upToIndex) {
        if (upToIndex >= log.firstIndex()) {
            stateMachine.persist();
            log.truncatePrefix(upToIndex);
        }
    }
}

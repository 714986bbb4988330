package io.synkit.store.log;

import io.synkit.protocol.replication.Entry;
import java.util.List;

/**
 * A replica's durable replication log and hard state (epoch, vote). Entries are dense: indexes
 * {@link #firstIndex()} .. {@link #lastIndex()} are all present. Writes are buffered until
 * {@link #sync()}; only synced data survives a crash. Implementations check each entry's CRC on
 * append and on read and throw on mismatch.
 *
 * <p>A failed {@link #sync()} throws, and the replica must stop: after a failed fsync the kernel
 * may have dropped the dirty pages, so retrying and then acknowledging could ack lost data.
 *
 * <p>Single-threaded: called only from the replica's loop.
 */
public interface LogStorage {

    /** Index of the first entry held (1 on a fresh log; higher after prefix truncation). */
    long firstIndex();

    /** Index of the last entry, or {@code firstIndex() - 1} when empty. */
    long lastIndex();

    /** Epoch of the entry at {@code index}; 0 for index 0; the snapshot epoch for firstIndex - 1. */
    long epochAt(long index);

    /** Entries [fromIndex, toIndexInclusive], at most {@code countMax} of them. */
    List<Entry> entries(long fromIndex, long toIndexInclusive, int countMax);

    /** Appends entries whose indexes continue the log. Buffered until {@link #sync()}. */
    void append(List<Entry> entries);

    /** Removes entries with index >= {@code fromIndex} (an uncommitted suffix that conflicts). */
    void truncateSuffix(long fromIndex);

    /** Drops entries with index <= {@code upToIndex}; their effects are durable elsewhere. */
    void truncatePrefix(long upToIndex);

    /**
     * Drops every entry and starts the log after {@code (index, epoch)}, a snapshot that replaced
     * the state: afterwards {@code firstIndex() == index + 1} and {@code epochAt(index) == epoch}.
     * Durable on return; epoch and vote are kept.
     */
    void resetTo(long index, long epoch);

    /** Makes everything appended so far durable. */
    void sync();

    long currentEpoch();

    /** -1 when no vote was cast in the current epoch. */
    int votedFor();

    /** Durably records the epoch and vote before returning (a vote must survive a crash). */
    void saveHardState(long epoch, int votedFor);
}

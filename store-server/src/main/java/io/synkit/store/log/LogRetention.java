package io.synkit.store.log;

/**
 * How much replication log a replica keeps once entries are applied and durable in the state.
 *
 * @param retainEntries entries always kept behind the applied index (cheap catch-up after a short outage)
 * @param lagEntriesMax on the primary, a backup lagging more than this behind the applied index no
 *     longer holds back truncation: it gets a snapshot instead
 * @param compactIntervalMs how often the log is truncated
 * @param segmentBytesMax the log's files ({@link FileLogStorage} segments) grow to about this size;
 *     truncation drops whole segments, so while a backup holds it back (or entries keep arriving
 *     behind the applied index) the primary drops nothing of a segment not yet full
 */
public record LogRetention(long retainEntries, long lagEntriesMax, long compactIntervalMs, long segmentBytesMax) {

    public LogRetention {
        if (retainEntries < 0 || lagEntriesMax < 0 || compactIntervalMs < 1) {
            throw new IllegalArgumentException("retainEntries=" + retainEntries + " lagEntriesMax=" + lagEntriesMax + " must be >= 0, compactIntervalMs="
                    + compactIntervalMs + " >= 1");
        }
        FileLogStorage.checkedSegmentBytesMax(segmentBytesMax);
    }
}

package io.synkit.store.log;

import io.synkit.protocol.replication.Entry;
import java.util.Arrays;

/**
 * The newest entries of a log, kept parsed in memory within a byte budget. A primary sends each
 * new entry to every backup and applies it moments after appending it, and a backup applies what
 * it just appended: served from here, none of that re-reads and re-parses the log file. Older
 * entries (a lagging peer's) come from disk.
 *
 * <p>Holds a dense run of indexes ending at the log's last index: {@link #add} must continue the
 * run (otherwise the run restarts at the added entry), truncations cut it. Single-threaded.
 */
final class RecentEntries {

    private final long bytesMax;
    private Entry[] ring = new Entry[256];
    private int head;
    private int size;
    private long firstIndex;
    private long bytes;

    RecentEntries(long bytesMax) {
        if (bytesMax < 0) {
            throw new IllegalArgumentException("bytesMax=" + bytesMax + " must be >= 0");
        }
        this.bytesMax = bytesMax;
    }

    void add(Entry entry) {
        if (size > 0 && entry.getIndex() != firstIndex + size) {
            clear();
        }
        if (size == 0) {
            firstIndex = entry.getIndex();
        }
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = entry;
        size++;
        bytes += entry.getPayload().size();
        while (size > 1 && bytes > bytesMax) {
            dropOldest();
        }
        if (bytes > bytesMax) {
            clear(); // one entry above the whole budget is not kept
        }
    }

    /** The entry at {@code index}, or null when it is not held here. */
    Entry get(long index) {
        if (size == 0 || index < firstIndex || index >= firstIndex + size) {
            return null;
        }
        return ring[(int) ((head + (index - firstIndex)) % ring.length)];
    }

    /** The first index held, or {@code Long.MAX_VALUE} when empty. */
    long firstIndex() {
        return size == 0 ? Long.MAX_VALUE : firstIndex;
    }

    /** Forgets {@code fromIndex} and everything after it. */
    void truncateFrom(long fromIndex) {
        while (size > 0 && firstIndex + size - 1 >= fromIndex) {
            int last = (head + size - 1) % ring.length;
            bytes -= ring[last].getPayload().size();
            ring[last] = null;
            size--;
        }
    }

    /** Forgets everything up to {@code upToIndex}. */
    void dropUpTo(long upToIndex) {
        while (size > 0 && firstIndex <= upToIndex) {
            dropOldest();
        }
    }

    void clear() {
        Arrays.fill(ring, null);
        head = 0;
        size = 0;
        bytes = 0;
    }

    private void dropOldest() {
        bytes -= ring[head].getPayload().size();
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        firstIndex++;
    }

    private void grow() {
        Entry[] bigger = new Entry[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }
}

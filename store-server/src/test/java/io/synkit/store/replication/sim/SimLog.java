package io.synkit.store.replication.sim;

import io.synkit.protocol.replication.Entry;
import io.synkit.store.log.Entries;
import io.synkit.store.log.LogStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An in-memory {@link LogStorage} with a disk model: appends and truncations are durable only
 * after {@link #sync()}; {@link #crash} keeps the durable state plus, at random, a prefix of the
 * unsynced appends (writes that happened to reach the platter); {@link #failNextSync} makes the
 * next sync throw, after which what reached disk is unknown (the model picks at random). Prefix
 * truncation and resets are durable at once, as in the file log.
 */
final class SimLog implements LogStorage {

    private final SplittableRandom random;
    /** Entries from firstIndex on. */
    private List<Entry> current = new ArrayList<>();
    private long snapshotIndex;
    private long snapshotEpoch;
    /** current[0, durablePrefix) is durable as is. */
    private int durablePrefix;
    /** Durable entries after the prefix that a not-yet-synced truncation removed from current. */
    private List<Entry> durableTail = new ArrayList<>();
    private long epoch;
    private int votedFor = -1;
    private boolean failNextSync;

    SimLog(SplittableRandom random) {
        this.random = random;
    }

    void failNextSync() {
        failNextSync = true;
    }

    /** Faults stop at heal time: a failure armed but not yet hit is withdrawn. */
    void disarm() {
        failNextSync = false;
    }

    /** The process died: only what is durable (and, by chance, some unsynced appends) remains. */
    void crash() {
        List<Entry> survived = new ArrayList<>(current.subList(0, durablePrefix));
        if (durableTail.isEmpty()) {
            int unsynced = current.size() - durablePrefix;
            int landed = unsynced == 0 ? 0 : random.nextInt(unsynced + 1);
            survived.addAll(current.subList(durablePrefix, durablePrefix + landed));
        } else {
            survived.addAll(durableTail);
        }
        current = survived;
        durablePrefix = current.size();
        durableTail = new ArrayList<>();
        failNextSync = false;
    }

    @Override
    public long firstIndex() {
        return snapshotIndex + 1;
    }

    @Override
    public long lastIndex() {
        return snapshotIndex + current.size();
    }

    @Override
    public long epochAt(long index) {
        if (index == snapshotIndex) {
            return snapshotEpoch;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            throw new IllegalArgumentException("epochAt(" + index + ") is outside [" + snapshotIndex + ", " + lastIndex() + "]");
        }
        return current.get(slot(index)).getEpoch();
    }

    private int slot(long index) {
        return (int) (index - snapshotIndex - 1);
    }

    @Override
    public List<Entry> entries(long fromIndex, long toIndexInclusive, int countMax) {
        if (fromIndex < firstIndex()) {
            throw new IllegalArgumentException("entries from " + fromIndex + " asked, but the log starts at " + firstIndex());
        }
        List<Entry> out = new ArrayList<>();
        for (long index = fromIndex; index <= toIndexInclusive && index <= lastIndex() && out.size() < countMax; index++) {
            out.add(Entries.checked(current.get(slot(index))));
        }
        return out;
    }

    @Override
    public void append(List<Entry> entries) {
        for (Entry entry : entries) {
            if (entry.getIndex() != lastIndex() + 1) {
                throw new IllegalStateException("append of index " + entry.getIndex() + " after last index " + lastIndex());
            }
            current.add(Entries.checked(entry));
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        if (fromIndex < firstIndex()) {
            throw new IllegalStateException("truncateSuffix(" + fromIndex + ") below the first index " + firstIndex());
        }
        int keep = slot(fromIndex);
        if (keep < durablePrefix) {
            List<Entry> tail = new ArrayList<>(current.subList(keep, durablePrefix));
            tail.addAll(durableTail);
            durableTail = tail;
            durablePrefix = keep;
        }
        current = new ArrayList<>(current.subList(0, keep));
    }

    @Override
    public void truncatePrefix(long upToIndex) {
        int drop = (int) Math.min(upToIndex - snapshotIndex, current.size());
        if (drop <= 0) {
            return;
        }
        if (drop > durablePrefix) {
            throw new IllegalStateException("truncatePrefix(" + upToIndex + ") drops entries that are not durable yet");
        }
        snapshotEpoch = epochAt(snapshotIndex + drop);
        snapshotIndex += drop;
        current = new ArrayList<>(current.subList(drop, current.size()));
        durablePrefix -= drop;
    }

    @Override
    public void resetTo(long index, long epoch) {
        current = new ArrayList<>();
        durablePrefix = 0;
        durableTail = new ArrayList<>();
        snapshotIndex = index;
        snapshotEpoch = epoch;
    }

    @Override
    public void sync() {
        if (failNextSync) {
            failNextSync = false;
            if (random.nextBoolean()) {
                durablePrefix = current.size();
                durableTail = new ArrayList<>();
            }
            throw new IllegalStateException("simulated fsync failure (EIO)");
        }
        durablePrefix = current.size();
        durableTail = new ArrayList<>();
    }

    @Override
    public long currentEpoch() {
        return epoch;
    }

    @Override
    public int votedFor() {
        return votedFor;
    }

    @Override
    public void saveHardState(long epoch, int votedFor) {
        this.epoch = epoch;
        this.votedFor = votedFor;
    }
}

package io.synkit.store.replication.sim;

import io.synkit.protocol.replication.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The disk of a simulated state machine: the entries applied, in index order (entry i at slot
 * i - 1), durable up to {@link #persist()}; a crash keeps the durable part plus, by chance, a
 * prefix of the rest (as RocksDB's unsynced WAL does). The catch-up mark is durable at once.
 */
final class SimState {

    private final SplittableRandom random;
    private List<Entry> entries = new ArrayList<>();
    private int durable;
    private boolean needsCatchUp;

    SimState(SplittableRandom random) {
        this.random = random;
    }

    long applied() {
        return entries.size();
    }

    long appliedEpoch() {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getEpoch();
    }

    void add(Entry entry) {
        entries.add(entry);
    }

    Entry at(long index) {
        return index >= 1 && index <= entries.size() ? entries.get((int) index - 1) : null;
    }

    /** Entries 1..applied, a copy (what a snapshot ships). */
    List<Entry> copy() {
        return new ArrayList<>(entries);
    }

    void persist() {
        durable = entries.size();
    }

    /** Replaces everything, durably (a snapshot install). */
    void replaceWith(List<Entry> snapshot) {
        entries = new ArrayList<>(snapshot);
        durable = entries.size();
    }

    boolean needsCatchUp() {
        return needsCatchUp;
    }

    void needsCatchUp(boolean value) {
        needsCatchUp = value;
    }

    void crash() {
        int unsynced = entries.size() - durable;
        int landed = unsynced == 0 ? 0 : random.nextInt(unsynced + 1);
        entries = new ArrayList<>(entries.subList(0, durable + landed));
        durable = entries.size();
    }
}

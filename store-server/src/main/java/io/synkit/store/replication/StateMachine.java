package io.synkit.store.replication;

import io.synkit.protocol.replication.Entry;
import java.util.List;

/**
 * Where committed entries go, in index order, each exactly once per replica lifetime. Its state
 * outlives the log: entries the log dropped (prefix truncation) live on only here.
 */
public interface StateMachine {

    /** Index of the last entry applied (durably or not); apply resumes after it after a restart. */
    long appliedIndex();

    /** Epoch of the entry at {@link #appliedIndex()}; 0 at index 0; -1 when not recorded (state written before epochs were kept). */
    long appliedEpoch();

    void apply(Entry entry);

    /**
     * Applies consecutive entries, the first right after {@link #appliedIndex()}, as if one by one;
     * an implementation may make them one atomic write (fewer writes, and the applied index
     * recorded once for all of them).
     */
    default void applyAll(List<Entry> entries) {
        for (Entry entry : entries) {
            apply(entry);
        }
    }

    /** Makes everything applied so far durable: the log may then drop those entries. */
    void persist();

    /**
     * Whether this replica may be missing committed entries it once held (its disk was replaced,
     * or a snapshot install was cut short): it must not vote or stand until it has caught up with
     * a primary. Durable.
     */
    boolean needsCatchUp();

    /** Durably records whether {@link #needsCatchUp()}. */
    void needsCatchUp(boolean value);
}

package io.synkit.store.replication;

import io.synkit.protocol.replication.Entry;

/** Where committed entries go, in index order, each exactly once per replica lifetime. */
public interface StateMachine {

    /** Index of the last entry applied (durably or not); apply resumes after it after a restart. */
    long appliedIndex();

    void apply(Entry entry);
}

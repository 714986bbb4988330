package io.synkit.logic.sync;

/**
 * Bugs the checker must catch, for the test that proves it can fail. Only code paths built for
 * tests can choose one (the embedded cluster's test constructor); no config key, flag or
 * environment variable reaches it, so production always runs {@link #NONE}.
 */
public enum InjectedBug {
    NONE,
    /** Sync drops the first op of every page that has more than one op, yet advances the key past it (an off-by-one in paging). */
    SYNC_SKIPS_OP
}

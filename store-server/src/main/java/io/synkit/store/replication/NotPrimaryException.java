package io.synkit.store.replication;

/**
 * This replica cannot take the write: it is not the primary, or stopped being it before the
 * write was known committed (outcome unknown; a retry must be idempotent).
 *
 * @see #primaryHint() the replica index believed primary, or -1
 */
public final class NotPrimaryException extends RuntimeException {

    private final int primaryHint;

    public NotPrimaryException(String message, int primaryHint) {
        super(message, null, false, false);
        this.primaryHint = primaryHint;
    }

    public int primaryHint() {
        return primaryHint;
    }
}

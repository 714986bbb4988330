package io.synkit.store.write;

/**
 * A batch that this replica could not commit because it is not (or stopped being) the primary.
 * Not a storage failure: the pipeline fails the batch's callers with UNAVAILABLE and the primary's
 * address, and goes on.
 */
public final class NotCommittedException extends RuntimeException {

    private final String primaryHint;

    public NotCommittedException(String message, String primaryHint) {
        super(message, null, false, false);
        this.primaryHint = primaryHint;
    }

    public String primaryHint() {
        return primaryHint;
    }
}

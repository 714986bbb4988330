package io.synkit.store.replication;

/** A hand-over that did not happen: the primary is still primary (writes resumed) or no longer primary; the message says which. */
public final class HandOverException extends RuntimeException {

    public HandOverException(String message) {
        super(message);
    }
}

package io.synkit.store.replication;

/**
 * "Not the primary": this replica cannot take the write, because it is not the primary, or
 * stopped being it before the write was known committed (outcome unknown; a retry must be
 * idempotent). One name along the whole send path: the replica refuses a proposal with it, the
 * write pipeline turns it into {@code RpcException.notPrimary}, and callers follow its hint.
 *
 * @see #primaryHint() the RPC address of the replica believed primary, or "" when unknown
 */
public final class NotPrimaryException extends RuntimeException {

    private final String primaryHint;

    public NotPrimaryException(String message, String primaryHint) {
        super(message, null, false, false);
        this.primaryHint = primaryHint;
    }

    public String primaryHint() {
        return primaryHint;
    }
}

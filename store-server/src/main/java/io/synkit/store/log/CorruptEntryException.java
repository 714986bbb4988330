package io.synkit.store.log;

/**
 * A log entry whose CRC does not match its contents. Where it was found decides what follows:
 * damage in the replica's own log stops the replica (those bytes were synced, and may be
 * committed), damage in a message is the network's and the message is refused, to be sent again.
 */
public final class CorruptEntryException extends RuntimeException {

    private final long index;

    public CorruptEntryException(long index, String message) {
        super(message, null, false, false);
        this.index = index;
    }

    /** The index the damaged entry claims (itself covered by the CRC, so possibly damaged too). */
    public long index() {
        return index;
    }
}

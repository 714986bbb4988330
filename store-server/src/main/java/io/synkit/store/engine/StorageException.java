package io.synkit.store.engine;

/** The disk failed us (I/O error, full disk, failed fsync). The replica must stop acking. */
public final class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.synkit.protocol.sync;

import io.synkit.protocol.client.ErrorCode;

/** A sync key the server cannot serve: stale (another epoch) or invalid (not issued here). */
public final class SyncKeyException extends RuntimeException {

    private final ErrorCode code;

    public SyncKeyException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

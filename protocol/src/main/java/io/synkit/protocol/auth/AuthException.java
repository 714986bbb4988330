package io.synkit.protocol.auth;

import io.synkit.protocol.client.ErrorCode;

/**
 * A token that does not verify, with the code the client is told: {@code AUTH_FAILED} for a
 * malformed or forged token, {@code TOKEN_EXPIRED}, {@code TOKEN_KEY_UNKNOWN} (and
 * {@code TOKEN_REVOKED} where the device registry refuses it). The message says why, never
 * echoing the token, the secret or the signature.
 */
public final class AuthException extends Exception {

    private final ErrorCode code;

    public AuthException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

package io.synkit.protocol.auth;

/** A token that does not verify. The message says why, never echoing the secret or signature. */
public final class AuthException extends Exception {

    public AuthException(String message) {
        super(message);
    }
}

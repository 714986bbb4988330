package io.synkit.sim.client;

import io.synkit.protocol.client.ErrorCode;

/** A request that failed: the server's error code, or UNAVAILABLE/TIMEOUT for link failures. */
public final class ClientException extends RuntimeException {

    private final ErrorCode code;
    private final int retryAfterMs;

    public ClientException(ErrorCode code, String message, int retryAfterMs) {
        super(code + ": " + message, null, false, false);
        this.code = code;
        this.retryAfterMs = retryAfterMs;
    }

    public ErrorCode code() {
        return code;
    }

    public int retryAfterMs() {
        return retryAfterMs;
    }

    /** Whether the same request (same ids) may be sent again. */
    public boolean retryable() {
        return switch (code) {
            case UNAVAILABLE, TIMEOUT, RATE_LIMITED, INTERNAL -> true;
            default -> false;
        };
    }

    public static ClientException of(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ClientException client) {
            return client;
        }
        return new ClientException(ErrorCode.UNAVAILABLE, String.valueOf(cause), 0);
    }
}

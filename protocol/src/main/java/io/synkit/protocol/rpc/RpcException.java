package io.synkit.protocol.rpc;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.RpcError;

/** A failed internal call, with the error the callee (or the transport) gave. */
public final class RpcException extends RuntimeException {

    private final RpcError error;

    public RpcException(RpcError error) {
        super(error.getCode() + ": " + error.getMessage(), null, false, false);
        this.error = error;
    }

    public RpcException(ErrorCode code, String message) {
        this(RpcError.newBuilder().setCode(code).setMessage(message).build());
    }

    /**
     * "Not the primary": this replica cannot serve the call, the primary (RPC address, "" when
     * unknown) can. UNAVAILABLE, so callers retry, going to {@code primaryHint} first.
     */
    public static RpcException notPrimary(String reason, String primaryHint) {
        return new RpcException(RpcError.newBuilder().setCode(ErrorCode.UNAVAILABLE).setMessage("not the primary: " + reason)
                .setPrimaryHint(primaryHint).build());
    }

    public RpcError error() {
        return error;
    }

    public ErrorCode code() {
        return error.getCode();
    }

    /** The primary's RPC address named by a "not the primary" answer; "" when none is known (or the error is another). */
    public String primaryHint() {
        return error.getPrimaryHint();
    }

    /** Whether the same call may succeed if retried (the outcome of the first may be unknown). */
    public boolean retryable() {
        return switch (error.getCode()) {
            case UNAVAILABLE, TIMEOUT, RATE_LIMITED, WRONG_SET -> true;
            default -> false;
        };
    }

    /** Unwraps completion wrappers; anything not an RpcException becomes INTERNAL. */
    public static RpcException of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RpcException rpc) {
            return rpc;
        }
        return new RpcException(ErrorCode.INTERNAL, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
}

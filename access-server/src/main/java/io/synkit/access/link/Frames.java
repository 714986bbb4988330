package io.synkit.access.link;

import io.synkit.protocol.client.Error;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.RpcError;
import java.util.List;

/** Builders for the server frames the link sends on its own (errors, go-aways). */
final class Frames {

    private Frames() {
    }

    static ServerFrame error(long requestId, ErrorCode code, String message, boolean fatal) {
        return error(requestId, code, message, fatal, 0);
    }

    static ServerFrame error(long requestId, ErrorCode code, String message, boolean fatal, int retryAfterMs) {
        return ServerFrame.newBuilder().setRequestId(requestId)
                .setError(Error.newBuilder().setCode(code).setMessage(message).setFatal(fatal).setRetryAfterMs(retryAfterMs)).build();
    }

    /** An internal error as the client sees it: WRONG_SET (routing inside the cluster) is UNAVAILABLE to a client: retry. */
    static ServerFrame error(long requestId, RpcError error) {
        ErrorCode code = error.getCode() == ErrorCode.WRONG_SET ? ErrorCode.UNAVAILABLE : error.getCode();
        return ServerFrame.newBuilder().setRequestId(requestId)
                .setError(Error.newBuilder().setCode(code).setMessage(error.getMessage()).setRetryAfterMs(error.getRetryAfterMs())).build();
    }

    /** A link refused at connect: the node has {@code max} links waiting to authenticate. */
    static ServerFrame unauthenticatedMax(int max, int retryAfterMs) {
        return error(0, ErrorCode.UNAVAILABLE, "this node has " + max + " links waiting to authenticate; retry after " + retryAfterMs + " ms", true,
                retryAfterMs);
    }

    static ServerFrame goAway(String reason, int retryAfterMs) {
        return ServerFrame.newBuilder().setGoAway(GoAway.newBuilder().setReason(reason).setRetryAfterMs(retryAfterMs)).build();
    }

    /** A GoAway naming the access nodes to reconnect to, in order. */
    static ServerFrame goAway(String reason, int retryAfterMs, List<String> accessAddresses) {
        return ServerFrame.newBuilder().setGoAway(GoAway.newBuilder().setReason(reason).setRetryAfterMs(retryAfterMs)
                .addAllAccessAddresses(accessAddresses)).build();
    }

    /** A login redirected: GoAway REDIRECTED naming the nodes to go to, in order, at once. */
    static ServerFrame redirect(String reason, List<String> accessAddresses) {
        return ServerFrame.newBuilder().setGoAway(GoAway.newBuilder().setCode(ErrorCode.REDIRECTED).setReason(reason)
                .addAllAccessAddresses(accessAddresses)).build();
    }

    /** A GoAway whose code tells the client what to do before it reconnects (e.g. LOGGED_OUT: log in again). */
    static ServerFrame goAway(ErrorCode code, String reason) {
        return ServerFrame.newBuilder().setGoAway(GoAway.newBuilder().setCode(code).setReason(reason)).build();
    }
}

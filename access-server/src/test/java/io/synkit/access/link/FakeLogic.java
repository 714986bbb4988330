package io.synkit.access.link;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.DeviceLoggedIn;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.internal.RouteUpdated;
import io.synkit.protocol.rpc.RpcException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A logic node for link tests. Logins and route updates are answered at once with {@link #inboxHeadSeq}
 * (or held, or failed, as the test sets); every other request waits in {@link #pending} until the
 * test answers it. Every request is recorded. Called on the test's thread only.
 */
public final class FakeLogic implements LogicClient {

    /** A request waiting for the test's answer. */
    public record Call(LogicRequest request, CompletableFuture<LogicResponse> answer) {
    }

    public final List<LogicRequest> requests = new ArrayList<>();
    public final List<Call> pending = new ArrayList<>();
    public long inboxHeadSeq;
    public boolean holdRoutes;
    public RpcException routeFailure;
    /** Thrown by the next call itself, as a failing JVM would throw it. */
    public Error callError;

    @Override
    public CompletableFuture<LogicResponse> call(LogicRequest request) {
        requests.add(request);
        if (callError != null) {
            Error error = callError;
            callError = null;
            throw error;
        }
        if (request.hasLogin() && !holdRoutes) {
            return routeFailure != null ? CompletableFuture.failedFuture(routeFailure)
                    : CompletableFuture.completedFuture(LogicResponse.newBuilder().setLogin(DeviceLoggedIn.newBuilder().setInboxHeadSeq(inboxHeadSeq)).build());
        }
        if (request.hasRoute() && !holdRoutes) {
            return routeFailure != null ? CompletableFuture.failedFuture(routeFailure)
                    : CompletableFuture.completedFuture(LogicResponse.newBuilder().setRoute(RouteUpdated.newBuilder().setInboxHeadSeq(inboxHeadSeq)).build());
        }
        CompletableFuture<LogicResponse> answer = new CompletableFuture<>();
        pending.add(new Call(request, answer));
        return answer;
    }

    /** Route updates recorded so far: true for online (a login), false for offline. */
    public List<Boolean> routeUpdates() {
        return requests.stream().filter(request -> request.hasRoute() || request.hasLogin())
                .map(request -> request.hasLogin() || request.getRoute().getOnline()).toList();
    }

    public Call takePending() {
        if (pending.isEmpty()) {
            throw new AssertionError("no request waits for logic; requests so far: " + requests);
        }
        return pending.remove(0);
    }

    public static RpcException unavailable(String message) {
        return new RpcException(ErrorCode.UNAVAILABLE, message);
    }
}

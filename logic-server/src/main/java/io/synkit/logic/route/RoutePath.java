package io.synkit.logic.route;

import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.PutRouteRequest;
import io.synkit.protocol.internal.RemoveRouteRequest;
import io.synkit.protocol.internal.RouteUpdate;
import io.synkit.protocol.internal.RouteUpdated;
import io.synkit.protocol.internal.StoreRequest;
import java.util.concurrent.CompletableFuture;

/** Records which access node holds a device (in the user's SET), so notifies reach it. */
public final class RoutePath {

    private final StoreCalls store;

    public RoutePath(StoreCalls store) {
        this.store = store;
    }

    public CompletableFuture<RouteUpdated> update(Caller caller, RouteUpdate update) {
        DeviceRoute route = DeviceRoute.newBuilder()
                .setDeviceId(caller.getDeviceId()).setAccessNode(caller.getAccessNode()).setConnId(caller.getConnId())
                .setLoginAtMs(caller.getLoginAtMs()).build();
        StoreRequest request = update.getOnline()
                ? StoreRequest.newBuilder().setPutRoute(PutRouteRequest.newBuilder().setUserId(caller.getUserId()).setRoute(route)).build()
                : StoreRequest.newBuilder().setRemoveRoute(RemoveRouteRequest.newBuilder().setUserId(caller.getUserId()).setRoute(route)).build();
        return store.forUser(caller.getUserId(), request)
                .thenApply(response -> RouteUpdated.newBuilder().setInboxHeadSeq(response.getPutRoute().getInboxHeadSeq()).build());
    }
}

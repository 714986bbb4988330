package io.synkit.store.read;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.ReadDevicesRequest;
import io.synkit.protocol.internal.ReadDevicesResponse;
import io.synkit.protocol.internal.UserDevices;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;

/** Reads a user's committed device registry and routes, for the client's device list. */
public final class DeviceReader {

    private final StoreEngine engine;
    private final RouteReader routes;

    public DeviceReader(StoreEngine engine) {
        this.engine = engine;
        this.routes = new RouteReader(engine);
    }

    public ReadDevicesResponse readDevices(ReadDevicesRequest request) {
        long userId = request.getUserId();
        if (userId <= 0) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "read_devices needs user_id > 0");
        }
        UserDevices registry = StoreKeys.userDevicesOf(engine.get(Column.META, StoreKeys.devices(userId)), userId);
        return ReadDevicesResponse.newBuilder().addAllDevices(registry.getDevicesList()).setTokensValidFromMs(registry.getTokensValidFromMs())
                .addAllRoutes(routes.routesOf(userId)).build();
    }
}

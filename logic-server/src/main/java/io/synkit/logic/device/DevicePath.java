package io.synkit.logic.device;

import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.DeviceInfo;
import io.synkit.protocol.client.DeviceList;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.LogoutRequest;
import io.synkit.protocol.client.LogoutResponse;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.DeviceLoggedIn;
import io.synkit.protocol.internal.DeviceLogin;
import io.synkit.protocol.internal.DeviceRecord;
import io.synkit.protocol.internal.DeviceRefresh;
import io.synkit.protocol.internal.DeviceRefreshed;
import io.synkit.protocol.internal.ReadDevicesResponse;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.LoginDeviceRequest;
import io.synkit.protocol.internal.LogoutDevicesRequest;
import io.synkit.protocol.internal.ReadDevicesRequest;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A user's devices and sessions, kept in the user's SET: the login of a link (checked there
 * against the device's revocations, with the {@link LoginPolicy} applied in the same write), the
 * device list, and logout of this device, another one, or all others. Sessions a write ends are
 * closed on whichever access node holds them ({@link SessionEnds}), after the write commits.
 */
public final class DevicePath {

    /** Longest app version kept in the registry; a longer one is cut (it is free text for display). */
    static final int APP_VERSION_CHARS_MAX = 64;

    private final StoreCalls store;
    private final SessionEnds sessionEnds;
    private final LoginPolicy policy;
    private final Presence presence;

    public DevicePath(StoreCalls store, SessionEnds sessionEnds, LoginPolicy policy, Presence presence) {
        this.store = store;
        this.sessionEnds = sessionEnds;
        this.policy = policy;
        this.presence = presence;
    }

    public CompletableFuture<DeviceLoggedIn> login(Caller caller, DeviceLogin login) {
        DevicePlatform platform = LoginPolicy.known(login.getPlatformValue());
        String appVersion = login.getAppVersion();
        LoginDeviceRequest request = LoginDeviceRequest.newBuilder().setUserId(caller.getUserId()).setRoute(route(caller))
                .setPlatform(platform).setTokenIssuedAtMs(login.getTokenIssuedAtMs())
                .setAppVersion(appVersion.length() > APP_VERSION_CHARS_MAX ? appVersion.substring(0, APP_VERSION_CHARS_MAX) : appVersion)
                .setProtocolVersion(login.getProtocolVersion())
                .addAllClassPlatforms(policy.classOf(platform)).setClassSessionsMax(policy.sessionsMax(platform)).build();
        return store.forUser(caller.getUserId(), StoreRequest.newBuilder().setLoginDevice(request).build()).thenApply(response -> {
            sessionEnds.end(response.getLoginDevice().getEndsList());
            return DeviceLoggedIn.newBuilder().setInboxHeadSeq(response.getLoginDevice().getInboxHeadSeq()).build();
        });
    }

    /**
     * Logs devices out. The caller's own link, when it is among them, is not ended from here: its
     * access node closes it after the answer, so the client sees the answer first.
     */
    public CompletableFuture<LogoutResponse> logout(Caller caller, LogoutRequest logout) {
        if (logout.getAllOtherDevices() && !logout.getDeviceId().isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "logout takes device_id or all_other_devices, not both");
        }
        LogoutDevicesRequest.Builder request = LogoutDevicesRequest.newBuilder().setUserId(caller.getUserId())
                .setCallerDeviceId(caller.getDeviceId()).setAllOtherDevices(logout.getAllOtherDevices());
        if (!logout.getAllOtherDevices()) {
            request.setDeviceId(logout.getDeviceId().isEmpty() ? caller.getDeviceId() : logout.getDeviceId());
        }
        return store.forUser(caller.getUserId(), StoreRequest.newBuilder().setLogoutDevices(request).build()).thenApply(response -> {
            sessionEnds.end(response.getLogoutDevices().getEndsList().stream().filter(end -> !isCallers(end, caller)).toList());
            return LogoutResponse.newBuilder().addAllDeviceIds(response.getLogoutDevices().getDeviceIdsList()).build();
        });
    }

    /**
     * A refresh of the caller's device: refused with TOKEN_REVOKED when the refresh token's login is
     * older than the device's revocation time (a read at the SET's primary sees every committed
     * logout).
     */
    public CompletableFuture<DeviceRefreshed> refresh(Caller caller, DeviceRefresh refresh) {
        StoreRequest read = StoreRequest.newBuilder().setReadDevices(ReadDevicesRequest.newBuilder().setUserId(caller.getUserId())).build();
        return store.forUser(caller.getUserId(), read).thenApply(response -> {
            ReadDevicesResponse devices = response.getReadDevices();
            long validFromMs = devices.getDevicesList().stream().filter(device -> device.getDeviceId().equals(caller.getDeviceId()))
                    .mapToLong(DeviceRecord::getTokensValidFromMs).findFirst().orElse(devices.getTokensValidFromMs());
            if (refresh.getTokenIssuedAtMs() < validFromMs) {
                throw new RpcException(ErrorCode.TOKEN_REVOKED, "the refresh token's login is older than the device's revocation");
            }
            return DeviceRefreshed.getDefaultInstance();
        });
    }

    public CompletableFuture<DeviceList> list(Caller caller) {
        StoreRequest read = StoreRequest.newBuilder().setReadDevices(ReadDevicesRequest.newBuilder().setUserId(caller.getUserId())).build();
        return store.forUser(caller.getUserId(), read).thenCompose(response -> {
            List<DeviceRoute> routes = response.getReadDevices().getRoutesList();
            return presence.present(caller.getUserId(), routes).thenApply(present -> list(caller, response.getReadDevices(),
                    routes.stream().filter(route -> present.contains(route.getConnId())).map(DeviceRoute::getDeviceId).collect(Collectors.toSet())));
        });
    }

    /** The registry as the client sees it; {@code online}: the devices whose link is present now. */
    private static DeviceList list(Caller caller, ReadDevicesResponse response, Set<String> online) {
        DeviceList.Builder list = DeviceList.newBuilder();
        for (DeviceRecord device : response.getDevicesList()) {
            list.addDevices(DeviceInfo.newBuilder().setDeviceId(device.getDeviceId()).setPlatformValue(device.getPlatformValue())
                    .setFirstLoginMs(device.getFirstLoginMs()).setLastSeenMs(device.getLastSeenMs()).setAppVersion(device.getAppVersion())
                    .setProtocolVersion(device.getProtocolVersion()).setLoggedIn(device.getLoggedIn())
                    .setOnline(online.contains(device.getDeviceId())).setThisDevice(device.getDeviceId().equals(caller.getDeviceId())));
        }
        return list.build();
    }

    private static boolean isCallers(SessionEnd end, Caller caller) {
        return end.getConnId() == caller.getConnId() && end.getAccessNode().equals(caller.getAccessNode());
    }

    private static DeviceRoute route(Caller caller) {
        return DeviceRoute.newBuilder().setDeviceId(caller.getDeviceId()).setAccessNode(caller.getAccessNode()).setConnId(caller.getConnId())
                .setLoginAtMs(caller.getLoginAtMs()).build();
    }
}

package io.synkit.store.write;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.DeviceRecord;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.LoginDeviceRequest;
import io.synkit.protocol.internal.LoginDeviceResponse;
import io.synkit.protocol.internal.LogoutDevicesRequest;
import io.synkit.protocol.internal.LogoutDevicesResponse;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.internal.UserDevices;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.read.RouteReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The device registry's write commands, in the user's SET: a login (checked against the device's
 * revocations, then the login policy), a logout of devices, and the end of a link. A revocation is
 * a time: tokens of a device issued before its {@code tokens_valid_from_ms} are refused. It is
 * replicated state like any other, so it holds on every access node (each login asks here) and
 * after a failover. Revoking raises it past the primary's clock, so tokens issued from the next
 * millisecond on work; a login raises it to its own token's issue time, so a token older than the
 * newest one a device logged in with is refused (an old token replayed cannot take over the device).
 *
 * <p>The registry of a user is one record (at most {@link #DEVICES_PER_USER_MAX} devices): a
 * login reads and writes it whole, so the policy sees every device of the user at once.
 */
final class DeviceCommands {

    /** Devices the registry keeps per user; a login beyond drops the one seen longest ago, logged-out devices first. */
    static final int DEVICES_PER_USER_MAX = 64;

    private final Clock clock;

    DeviceCommands(Clock clock) {
        this.clock = clock;
    }

    LoginDeviceResponse login(BatchView view, LoginDeviceRequest request) {
        long userId = request.getUserId();
        DeviceRoute route = request.getRoute();
        if (userId <= 0 || route.getDeviceId().isEmpty() || route.getAccessNode().isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "login_device needs user_id > 0 and a route with device_id and access_node");
        }
        String deviceId = route.getDeviceId();
        UserDevices registry = read(view, userId);
        DeviceRecord known = find(registry, deviceId);
        long validFromMs = known == null ? registry.getTokensValidFromMs() : known.getTokensValidFromMs();
        if (request.getTokenIssuedAtMs() < validFromMs) {
            throw new RpcException(ErrorCode.TOKEN_REVOKED, "the token of device " + deviceId + " was issued at " + request.getTokenIssuedAtMs()
                    + " ms, before its tokens were revoked (valid from " + validFromMs + " ms)");
        }
        long nowMs = clock.nowMs();
        LoginDeviceResponse.Builder response = LoginDeviceResponse.newBuilder();
        byte[] routeKey = StoreKeys.route(userId, deviceId);
        DeviceRoute previous = currentRoute(view, userId, deviceId);
        checkNotOlder(userId, previous, route);
        if (previous != null && !sameConnection(previous, route)) {
            response.addEnds(end(userId, previous, ErrorCode.REPLACED, "replaced by a newer connection of the same device"));
        }
        DeviceRecord.Builder device = known == null ? DeviceRecord.newBuilder().setDeviceId(deviceId).setFirstLoginMs(nowMs) : known.toBuilder();
        device.setPlatformValue(request.getPlatformValue()).setAppVersion(request.getAppVersion()).setProtocolVersion(request.getProtocolVersion())
                .setLastLoginMs(nowMs).setLastSeenMs(nowMs).setLoggedIn(true)
                .setTokensValidFromMs(Math.max(validFromMs, request.getTokenIssuedAtMs()));
        List<DeviceRecord> devices = new ArrayList<>(registry.getDevicesList());
        devices.removeIf(record -> record.getDeviceId().equals(deviceId));
        devices.add(0, device.build());
        endOverClassLimit(view, userId, devices, request, nowMs, response);
        UserDevices.Builder kept = UserDevices.newBuilder().setTokensValidFromMs(registry.getTokensValidFromMs());
        bound(view, userId, devices, kept, nowMs, response);
        view.put(Column.META, StoreKeys.devices(userId), kept.addAllDevices(devices).build().toByteArray());
        view.put(Column.ROUTES, routeKey, route.toByteArray());
        return response.setInboxHeadSeq(view.getLong(Column.META, StoreKeys.inboxHead(userId), 0)).build();
    }

    /**
     * The user's routes as a command of this batch sees them, the logins and removals of batches
     * still committing included (at most {@link RouteReader#ROUTES_PER_USER_MAX}): an inbox write
     * answers them for notify. Committed state alone would miss a login acknowledged just before,
     * whose device's sync may have read the inbox before this entry: nothing would tell it.
     */
    static List<DeviceRoute> routesOf(BatchView view, long userId) {
        List<byte[]> stored = view.valuesWithPrefix(Column.ROUTES, StoreKeys.routePrefix(userId));
        return stored.stream().limit(RouteReader.ROUTES_PER_USER_MAX).map(RouteReader::parse).toList();
    }

    /** The device's current route, or null. */
    static DeviceRoute currentRoute(BatchView view, long userId, String deviceId) {
        byte[] stored = view.get(Column.ROUTES, StoreKeys.route(userId, deviceId));
        return stored == null ? null : RouteReader.parse(stored);
    }

    /**
     * Refuses {@code route} if its login began before the {@code current} route's (by the access
     * nodes' clocks, {@code login_at_ms}): a login of a connection the device has already replaced
     * (a store call logic retried, or one delayed on its way, committing after the newer
     * connection's login) must not take the route back, or the live connection gets no notifies,
     * and as the replaced one's end may not reach it, nothing makes the device reconnect. A login
     * not stamped (0) is ordered by commit, as before.
     */
    static void checkNotOlder(long userId, DeviceRoute current, DeviceRoute route) {
        if (current != null && route.getLoginAtMs() > 0 && current.getLoginAtMs() > route.getLoginAtMs() && !sameConnection(current, route)) {
            throw new RpcException(ErrorCode.REPLACED, "device " + route.getDeviceId() + " of user " + userId + ": this login began at "
                    + route.getLoginAtMs() + " ms, before the login of its current connection (" + current.getLoginAtMs() + " ms)");
        }
    }

    /** Whether two routes name the same connection of a device (whatever else they carry). */
    static boolean sameConnection(DeviceRoute a, DeviceRoute b) {
        return a.getDeviceId().equals(b.getDeviceId()) && a.getAccessNode().equals(b.getAccessNode()) && a.getConnId() == b.getConnId();
    }

    /**
     * The login policy: of the logged-in devices of the new login's class (its platforms), at most
     * {@code class_sessions_max} stay, the most recent logins; the others are logged out.
     */
    private void endOverClassLimit(BatchView view, long userId, List<DeviceRecord> devices, LoginDeviceRequest request, long nowMs,
                                   LoginDeviceResponse.Builder response) {
        int max = request.getClassSessionsMax();
        if (max == 0) {
            return;
        }
        List<DeviceRecord> sameClass = devices.stream()
                .filter(record -> record.getLoggedIn() && request.getClassPlatformsValueList().contains(record.getPlatformValue()))
                .sorted(Comparator.comparingLong(DeviceRecord::getLastLoginMs).reversed()
                        .thenComparing(record -> !record.getDeviceId().equals(request.getRoute().getDeviceId())))
                .toList();
        for (DeviceRecord ended : sameClass.subList(Math.min(max, sameClass.size()), sameClass.size())) {
            devices.set(devices.indexOf(ended), revoke(view, userId, ended, nowMs, ErrorCode.LOGGED_IN_ELSEWHERE,
                    "logged in on another device of the same class", response::addEnds));
        }
    }

    /** Keeps the registry at {@link #DEVICES_PER_USER_MAX}: the dropped device's revocation stays as the user's. */
    private void bound(BatchView view, long userId, List<DeviceRecord> devices, UserDevices.Builder kept, long nowMs,
                       LoginDeviceResponse.Builder response) {
        while (devices.size() > DEVICES_PER_USER_MAX) {
            DeviceRecord dropped = devices.stream().skip(1)
                    .min(Comparator.comparing(DeviceRecord::getLoggedIn).thenComparingLong(DeviceRecord::getLastSeenMs)).orElseThrow();
            if (dropped.getLoggedIn()) {
                dropped = revoke(view, userId, dropped, nowMs, ErrorCode.LOGGED_IN_ELSEWHERE, "logged out: the user has too many devices",
                        response::addEnds);
            }
            devices.remove(indexOf(devices, dropped.getDeviceId()));
            kept.setTokensValidFromMs(Math.max(kept.getTokensValidFromMs(), dropped.getTokensValidFromMs()));
        }
    }

    LogoutDevicesResponse logout(BatchView view, LogoutDevicesRequest request) {
        long userId = request.getUserId();
        if (userId <= 0 || request.getAllOtherDevices() != request.getDeviceId().isEmpty()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "logout_devices needs user_id > 0 and exactly one of device_id and all_other_devices");
        }
        UserDevices registry = read(view, userId);
        if (!request.getAllOtherDevices() && find(registry, request.getDeviceId()) == null) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "user " + userId + " has no device " + request.getDeviceId());
        }
        long nowMs = clock.nowMs();
        LogoutDevicesResponse.Builder response = LogoutDevicesResponse.newBuilder();
        List<DeviceRecord> devices = new ArrayList<>(registry.getDevicesList());
        for (int i = 0; i < devices.size(); i++) {
            DeviceRecord device = devices.get(i);
            boolean target = request.getAllOtherDevices() ? !device.getDeviceId().equals(request.getCallerDeviceId())
                    : device.getDeviceId().equals(request.getDeviceId());
            if (target) {
                devices.set(i, revoke(view, userId, device, nowMs, ErrorCode.LOGGED_OUT, "logged out", response::addEnds));
                response.addDeviceIds(device.getDeviceId());
            }
        }
        view.put(Column.META, StoreKeys.devices(userId), registry.toBuilder().clearDevices().addAllDevices(devices).build().toByteArray());
        return response.build();
    }

    /** A link of the device ended (its route removed): the device was last seen now. */
    void linkEnded(BatchView view, long userId, String deviceId) {
        UserDevices registry = read(view, userId);
        int index = indexOf(registry.getDevicesList(), deviceId);
        if (index < 0) {
            return;
        }
        DeviceRecord seen = registry.getDevices(index).toBuilder().setLastSeenMs(clock.nowMs()).build();
        view.put(Column.META, StoreKeys.devices(userId), registry.toBuilder().setDevices(index, seen).build().toByteArray());
    }

    /**
     * Logs a device out: its tokens issued up to now are refused, and the link holding its route,
     * if any, is to be ended with {@code code} (the route goes, so notifies stop at once).
     */
    private static DeviceRecord revoke(BatchView view, long userId, DeviceRecord device, long nowMs, ErrorCode code, String reason,
                                       Consumer<SessionEnd> ends) {
        byte[] routeKey = StoreKeys.route(userId, device.getDeviceId());
        byte[] route = view.get(Column.ROUTES, routeKey);
        if (route != null) {
            view.delete(Column.ROUTES, routeKey);
            ends.accept(end(userId, RouteReader.parse(route), code, reason));
        }
        return device.toBuilder().setLoggedIn(false).setTokensValidFromMs(Math.max(device.getTokensValidFromMs(), nowMs + 1)).build();
    }

    private static SessionEnd end(long userId, DeviceRoute route, ErrorCode code, String reason) {
        return SessionEnd.newBuilder().setUserId(userId).setDeviceId(route.getDeviceId()).setAccessNode(route.getAccessNode())
                .setConnId(route.getConnId()).setCode(code).setReason(reason).build();
    }

    private static UserDevices read(BatchView view, long userId) {
        return StoreKeys.userDevicesOf(view.get(Column.META, StoreKeys.devices(userId)), userId);
    }

    private static DeviceRecord find(UserDevices registry, String deviceId) {
        int index = indexOf(registry.getDevicesList(), deviceId);
        return index < 0 ? null : registry.getDevices(index);
    }

    private static int indexOf(List<DeviceRecord> devices, String deviceId) {
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i).getDeviceId().equals(deviceId)) {
                return i;
            }
        }
        return -1;
    }
}

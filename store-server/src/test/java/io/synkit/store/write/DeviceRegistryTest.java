package io.synkit.store.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.DeviceRecord;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.LoginDeviceRequest;
import io.synkit.protocol.internal.LoginDeviceResponse;
import io.synkit.protocol.internal.LogoutDevicesRequest;
import io.synkit.protocol.internal.LogoutDevicesResponse;
import io.synkit.protocol.internal.PutRouteRequest;
import io.synkit.protocol.internal.ReadDevicesRequest;
import io.synkit.protocol.internal.ReadDevicesResponse;
import io.synkit.protocol.internal.RemoveRouteRequest;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.ManualClock;
import io.synkit.store.read.DeviceReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device registry in the user's SET: logins checked against revocations, the login policy, logouts. */
class DeviceRegistryTest {

    private static final long USER = 5;
    private static final List<DevicePlatform> PHONES = List.of(DevicePlatform.DEVICE_PLATFORM_PHONE);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private StoreFixture store;
    private long nextConnId = 1;

    @BeforeEach
    void open() {
        store = new StoreFixture(dir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private DeviceRoute route(String deviceId) {
        return DeviceRoute.newBuilder().setDeviceId(deviceId).setAccessNode("access-a:7101").setConnId(nextConnId++).build();
    }

    private LoginDeviceResponse login(DeviceRoute route, DevicePlatform platform, long tokenIssuedAtMs) {
        return store.write(StoreRequest.newBuilder().setLoginDevice(LoginDeviceRequest.newBuilder().setUserId(USER).setRoute(route)
                .setPlatform(platform).setTokenIssuedAtMs(tokenIssuedAtMs).setAppVersion("ios/1.2").setProtocolVersion(1)
                .addAllClassPlatforms(List.of(platform)).setClassSessionsMax(1)).build()).getLoginDevice();
    }

    private LoginDeviceResponse phoneLogin(DeviceRoute route, long tokenIssuedAtMs) {
        return login(route, DevicePlatform.DEVICE_PLATFORM_PHONE, tokenIssuedAtMs);
    }

    private LogoutDevicesResponse logout(LogoutDevicesRequest.Builder request) {
        return store.write(StoreRequest.newBuilder().setLogoutDevices(request.setUserId(USER)).build()).getLogoutDevices();
    }

    private ReadDevicesResponse devices() {
        return new DeviceReader(store.engine).readDevices(ReadDevicesRequest.newBuilder().setUserId(USER).build());
    }

    private DeviceRecord device(String deviceId) {
        return devices().getDevicesList().stream().filter(d -> d.getDeviceId().equals(deviceId)).findFirst().orElseThrow();
    }

    @Test
    void aLoginRecordsTheDeviceAndItsRoute() {
        DeviceRoute phone = route("phone-a");
        long issuedMs = clock.nowMs() - 1000;

        assertEquals(List.of(), phoneLogin(phone, issuedMs).getEndsList());

        DeviceRecord record = device("phone-a");
        assertEquals(DevicePlatform.DEVICE_PLATFORM_PHONE, record.getPlatform());
        assertEquals(clock.nowMs(), record.getFirstLoginMs());
        assertEquals("ios/1.2", record.getAppVersion());
        assertTrue(record.getLoggedIn());
        assertEquals(issuedMs, record.getTokensValidFromMs());
        assertEquals(List.of(phone), devices().getRoutesList());
    }

    @Test
    void aSecondPhoneEndsTheFirstAndRevokesItsTokensWhileATabletStays() {
        DeviceRoute phoneA = route("phone-a");
        DeviceRoute tablet = route("tablet");
        phoneLogin(phoneA, clock.nowMs());
        login(tablet, DevicePlatform.DEVICE_PLATFORM_TABLET, clock.nowMs());
        clock.advanceMs(10);

        LoginDeviceResponse second = phoneLogin(route("phone-b"), clock.nowMs());

        SessionEnd ended = second.getEnds(0);
        assertEquals(1, second.getEndsCount());
        assertEquals(ErrorCode.LOGGED_IN_ELSEWHERE, ended.getCode());
        assertEquals(phoneA.getConnId(), ended.getConnId());
        assertEquals("access-a:7101", ended.getAccessNode());
        assertFalse(device("phone-a").getLoggedIn());
        assertTrue(device("tablet").getLoggedIn());
        assertEquals(List.of("phone-b", "tablet"), devices().getRoutesList().stream().map(DeviceRoute::getDeviceId).sorted().toList());
        RpcException refused = assertThrows(RpcException.class, () -> phoneLogin(route("phone-a"), clock.nowMs() - 10));
        assertEquals(ErrorCode.TOKEN_REVOKED, refused.error().getCode());
    }

    @Test
    void anOlderTokenOfADeviceIsRefusedOnceANewerOneLoggedIn() {
        long oldIssuedMs = clock.nowMs() - 60_000;
        phoneLogin(route("phone-a"), oldIssuedMs);
        DeviceRoute newer = route("phone-a");
        phoneLogin(newer, clock.nowMs());

        RpcException refused = assertThrows(RpcException.class, () -> phoneLogin(route("phone-a"), oldIssuedMs));

        assertEquals(ErrorCode.TOKEN_REVOKED, refused.error().getCode());
        assertEquals(List.of(newer), devices().getRoutesList());
    }

    /**
     * Finding 2 of issue 17: a login logic retried (or one delayed on its way) committing after
     * the device's newer connection logged in, with the same token, took the route back: the
     * live connection got no notifies, and as the REPLACED end sent to it may be lost, nothing
     * made it reconnect. Logins are ordered by when their access node began them.
     */
    @Test
    void aLoginOfAnOlderConnectionCommittingLateNeverTakesTheRouteFromTheNewerOne() {
        long issuedMs = clock.nowMs() - 1000; // one token for both connections, as a client keeps it for hours
        DeviceRoute older = route("phone-a").toBuilder().setLoginAtMs(clock.nowMs()).build();
        clock.advanceMs(3_000);
        DeviceRoute newer = route("phone-a").toBuilder().setLoginAtMs(clock.nowMs()).build();
        phoneLogin(newer, issuedMs);

        RpcException late = assertThrows(RpcException.class, () -> phoneLogin(older, issuedMs));

        assertEquals(ErrorCode.REPLACED, late.error().getCode());
        assertEquals(List.of(newer), devices().getRoutesList());
        assertEquals(List.of(), phoneLogin(newer, issuedMs).getEndsList(), "the newer connection's retried login ends nothing");
        assertThrows(RpcException.class, () -> store.write(StoreRequest.newBuilder().setPutRoute(PutRouteRequest.newBuilder().setUserId(USER)
                .setRoute(older)).build()));
        assertEquals(List.of(newer), devices().getRoutesList(), "nor does a route write of the older connection");
    }

    @Test
    void aNewerLinkOfTheSameDeviceReplacesTheOlderOne() {
        DeviceRoute first = route("phone-a");
        phoneLogin(first, clock.nowMs());

        LoginDeviceResponse again = phoneLogin(route("phone-a"), clock.nowMs());

        assertEquals(List.of(ErrorCode.REPLACED), again.getEndsList().stream().map(SessionEnd::getCode).toList());
        assertEquals(first.getConnId(), again.getEnds(0).getConnId());
    }

    @Test
    void aLogoutRevokesTokensIssuedUpToNowButNotLaterOnes() {
        DeviceRoute phone = route("phone-a");
        phoneLogin(phone, clock.nowMs());
        login(route("desk"), DevicePlatform.DEVICE_PLATFORM_DESKTOP, clock.nowMs());
        long issuedBeforeMs = clock.nowMs();

        LogoutDevicesResponse out = logout(LogoutDevicesRequest.newBuilder().setDeviceId("phone-a").setCallerDeviceId("desk"));

        assertEquals(List.of("phone-a"), out.getDeviceIdsList());
        assertEquals(List.of(phone.getConnId()), out.getEndsList().stream().map(SessionEnd::getConnId).toList());
        assertEquals(ErrorCode.LOGGED_OUT, out.getEnds(0).getCode());
        assertEquals(List.of("desk"), devices().getRoutesList().stream().map(DeviceRoute::getDeviceId).toList());
        assertEquals(ErrorCode.TOKEN_REVOKED,
                assertThrows(RpcException.class, () -> phoneLogin(route("phone-a"), issuedBeforeMs)).error().getCode());
        clock.advanceMs(1);
        phoneLogin(route("phone-a"), clock.nowMs());
        assertTrue(device("phone-a").getLoggedIn());
    }

    @Test
    void logoutOfAllOtherDevicesKeepsTheCaller() {
        phoneLogin(route("phone-a"), clock.nowMs());
        login(route("tablet"), DevicePlatform.DEVICE_PLATFORM_TABLET, clock.nowMs());
        login(route("web"), DevicePlatform.DEVICE_PLATFORM_WEB, clock.nowMs());

        LogoutDevicesResponse out = logout(LogoutDevicesRequest.newBuilder().setAllOtherDevices(true).setCallerDeviceId("tablet"));

        assertEquals(List.of("phone-a", "web"), out.getDeviceIdsList().stream().sorted().toList());
        assertTrue(device("tablet").getLoggedIn());
        assertFalse(device("web").getLoggedIn());
    }

    @Test
    void logoutOfAnUnknownDeviceIsInvalid() {
        phoneLogin(route("phone-a"), clock.nowMs());

        RpcException refused = assertThrows(RpcException.class,
                () -> logout(LogoutDevicesRequest.newBuilder().setDeviceId("nope").setCallerDeviceId("phone-a")));

        assertEquals(ErrorCode.INVALID_REQUEST, refused.error().getCode());
    }

    @Test
    void theEndOfALinkIsTheDevicesLastSeen() {
        DeviceRoute phone = route("phone-a");
        phoneLogin(phone, clock.nowMs());
        clock.advanceMs(5000);

        store.write(StoreRequest.newBuilder().setRemoveRoute(RemoveRouteRequest.newBuilder().setUserId(USER).setRoute(phone)).build());

        assertEquals(clock.nowMs(), device("phone-a").getLastSeenMs());
    }

    @Test
    void theRegistryStaysBoundedAndADroppedDevicesRevocationStays() {
        phoneLogin(route("phone-a"), clock.nowMs());
        logout(LogoutDevicesRequest.newBuilder().setDeviceId("phone-a").setCallerDeviceId("phone-a"));
        long revokedBeforeMs = clock.nowMs();
        for (int i = 0; i < DeviceCommands.DEVICES_PER_USER_MAX; i++) {
            clock.advanceMs(1);
            login(route("web-" + i), DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED, clock.nowMs());
        }

        assertEquals(DeviceCommands.DEVICES_PER_USER_MAX, devices().getDevicesCount());
        assertTrue(devices().getDevicesList().stream().noneMatch(d -> d.getDeviceId().equals("phone-a")), "the logged-out device went first");
        assertEquals(ErrorCode.TOKEN_REVOKED,
                assertThrows(RpcException.class, () -> phoneLogin(route("phone-a"), revokedBeforeMs)).error().getCode());
    }
}

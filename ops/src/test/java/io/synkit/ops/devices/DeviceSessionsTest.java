package io.synkit.ops.devices;

import static io.synkit.ops.devices.TestDevice.failureCode;
import static io.synkit.ops.devices.TestDevice.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.DeviceInfo;
import io.synkit.protocol.client.DeviceList;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.LogoutRequest;
import io.synkit.protocol.client.LogoutResponse;
import io.synkit.runtime.ManualClock;
import io.synkit.runtime.NettyThreads;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Devices and sessions through real servers and sockets: a SET of three replicas, one logic node,
 * two access nodes. Logins, the login policy, logouts and the revocations they leave, on the node
 * that holds the link and on the other, and after the SET's primary fails over.
 */
class DeviceSessionsTest {

    private static final long HOUR_MS = 3_600_000;
    private static final long END_WITHIN_MS = 1000;

    private static DeviceCluster cluster;
    private static EventLoopGroup loops;
    private static EventLoop loop;

    @BeforeAll
    static void start() throws Exception {
        cluster = DeviceCluster.start();
        loops = NettyThreads.group("device-test", 1);
        loop = loops.next();
    }

    @AfterAll
    static void stop() throws Exception {
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A token issued {@code offsetMs} from now by the issuer's clock (negative: issued earlier). */
    private static String token(long userId, String deviceId, long offsetMs) {
        return new TokenCodec(AuthKeys.dev(), new ManualClock(System.currentTimeMillis() + offsetMs)).issue(userId, deviceId, HOUR_MS);
    }

    private static DeviceInfo device(DeviceList list, String deviceId) {
        return list.getDevicesList().stream().filter(d -> d.getDeviceId().equals(deviceId)).findFirst().orElseThrow();
    }

    @Test
    void aSecondPhoneEndsTheFirstPhonesSessionOnTheOtherNodeAndRevokesItsTokenWhileTheTabletStays() throws Exception {
        long user = 1001;
        String firstPhoneToken = token(user, "phone-a", -1000);
        TestDevice firstPhone = TestDevice.login(loop, cluster.access(0), firstPhoneToken, DevicePlatform.DEVICE_PLATFORM_PHONE);
        TestDevice tablet = TestDevice.login(loop, cluster.access(0), token(user, "tablet", -1000), DevicePlatform.DEVICE_PLATFORM_TABLET);

        TestDevice secondPhone = TestDevice.login(loop, cluster.access(1), token(user, "phone-b", 0), DevicePlatform.DEVICE_PLATFORM_PHONE);

        GoAway goAway = firstPhone.awaitGoAway();
        assertEquals(ErrorCode.LOGGED_IN_ELSEWHERE, goAway.getCode(), goAway.toString());
        firstPhone.awaitClosed();
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(0), firstPhoneToken));
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(1), firstPhoneToken));
        tablet.client.heartbeat().join();
        DeviceList devices = secondPhone.client.listDevices().join();
        assertFalse(device(devices, "phone-a").getLoggedIn());
        assertTrue(device(devices, "phone-b").getLoggedIn() && device(devices, "phone-b").getThisDevice() && device(devices, "phone-b").getOnline());
        assertEquals(DevicePlatform.DEVICE_PLATFORM_TABLET, device(devices, "tablet").getPlatform());
        assertEquals("synkit-sim/1", device(devices, "tablet").getAppVersion());
        assertEquals(1, device(devices, "tablet").getProtocolVersion());
        tablet.client.close();
        secondPhone.client.close();
    }

    @Test
    void anOldTokenReplayedAfterTheDeviceLoggedInAgainIsRefusedAndTheNewerLinkStays() throws Exception {
        long user = 1002;
        String oldToken = token(user, "phone", -60_000);
        TestDevice.login(loop, cluster.access(0), oldToken, DevicePlatform.DEVICE_PLATFORM_PHONE).client.close();
        TestDevice newer = TestDevice.login(loop, cluster.access(0), token(user, "phone", 0), DevicePlatform.DEVICE_PLATFORM_PHONE);

        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(1), oldToken));
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(0), oldToken));

        assertFalse(newer.goAway.isDone(), "the newer link was not kicked");
        newer.client.heartbeat().join();
        newer.client.close();
    }

    @Test
    void aRemoteLogoutClosesTheLinkWithinASecondAndItsTokenStaysRefusedAfterAFailoverWhileANewTokenWorks() throws Exception {
        long user = 1003;
        String phoneToken = token(user, "phone", -1000);
        TestDevice phone = TestDevice.login(loop, cluster.access(0), phoneToken, DevicePlatform.DEVICE_PLATFORM_PHONE);
        TestDevice desktop = TestDevice.login(loop, cluster.access(1), token(user, "desktop", -1000), DevicePlatform.DEVICE_PLATFORM_DESKTOP);

        long sentNs = System.nanoTime();
        LogoutResponse out = desktop.client.logout(LogoutRequest.newBuilder().setDeviceId("phone").build()).join();

        assertEquals(List.of("phone"), out.getDeviceIdsList());
        GoAway goAway = phone.awaitGoAway();
        long endedMs = TimeUnit.NANOSECONDS.toMillis(phone.goAwayAtNs - sentNs);
        System.out.println("remote logout: the phone's link got GoAway " + goAway.getCode() + " " + endedMs + " ms after the request was sent");
        assertEquals(ErrorCode.LOGGED_OUT, goAway.getCode());
        assertTrue(endedMs < END_WITHIN_MS, "GoAway after " + endedMs + " ms");
        phone.awaitClosed();
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(1), phoneToken));

        cluster.stopPrimary();
        cluster.awaitPrimary();

        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(0), phoneToken));
        TestDevice again = TestDevice.login(loop, cluster.access(0), token(user, "phone", 1000), DevicePlatform.DEVICE_PLATFORM_PHONE);
        assertTrue(device(again.client.listDevices().join(), "phone").getLoggedIn());
        again.client.close();
        desktop.client.close();
    }

    @Test
    void aDeviceThatLogsItselfOutGetsTheAnswerThenGoAwayAndCannotComeBackWithItsToken() throws Exception {
        long user = 1004;
        String token = token(user, "web", -1000);
        TestDevice web = TestDevice.login(loop, cluster.access(1), token, DevicePlatform.DEVICE_PLATFORM_WEB);

        LogoutResponse out = web.client.logout(LogoutRequest.getDefaultInstance()).join();

        assertEquals(List.of("web"), out.getDeviceIdsList());
        assertEquals(ErrorCode.LOGGED_OUT, web.awaitGoAway().getCode());
        web.awaitClosed();
        assertEquals(ErrorCode.TOKEN_REVOKED, refusal(loop, cluster.access(0), token));
    }

    @Test
    void logoutOfAllOtherDevicesEndsEveryOtherSessionAndKeepsTheCallers() throws Exception {
        long user = 1005;
        TestDevice phone = TestDevice.login(loop, cluster.access(0), token(user, "phone", -1000), DevicePlatform.DEVICE_PLATFORM_PHONE);
        TestDevice tablet = TestDevice.login(loop, cluster.access(1), token(user, "tablet", -1000), DevicePlatform.DEVICE_PLATFORM_TABLET);
        TestDevice desktop = TestDevice.login(loop, cluster.access(0), token(user, "desktop", -1000), DevicePlatform.DEVICE_PLATFORM_DESKTOP);

        LogoutResponse out = phone.client.logout(LogoutRequest.newBuilder().setAllOtherDevices(true).build()).join();

        assertEquals(List.of("desktop", "tablet"), out.getDeviceIdsList().stream().sorted().toList());
        assertEquals(ErrorCode.LOGGED_OUT, tablet.awaitGoAway().getCode());
        assertEquals(ErrorCode.LOGGED_OUT, desktop.awaitGoAway().getCode());
        DeviceList devices = phone.client.listDevices().join();
        assertEquals(List.of("phone"), devices.getDevicesList().stream().filter(DeviceInfo::getLoggedIn).map(DeviceInfo::getDeviceId)
                .collect(Collectors.toList()));
        phone.client.close();
    }

    @Test
    void aRefreshTokenOfALoggedOutDeviceIsRefusedAtAuthAndAtRefresh() throws Exception {
        long user = 1007;
        TokenCodec issuer = new TokenCodec(AuthKeys.dev(), new ManualClock(System.currentTimeMillis() - 1000));
        String phoneRefresh = issuer.issueRefresh(user, "phone", HOUR_MS);
        TestDevice phone = TestDevice.connect(loop, cluster.access(0));
        phone.client.authWithRefreshToken(phoneRefresh, DevicePlatform.DEVICE_PLATFORM_PHONE).join();
        String tabletRefresh = issuer.issueRefresh(user, "tablet", HOUR_MS);
        TestDevice tablet = TestDevice.connect(loop, cluster.access(1));
        tablet.client.authWithRefreshToken(tabletRefresh, DevicePlatform.DEVICE_PLATFORM_TABLET).join();
        assertEquals(ErrorCode.FORBIDDEN, failureCode(tablet.client.refresh(phoneRefresh)), "another device's refresh token");

        tablet.client.logout(LogoutRequest.newBuilder().setDeviceId("phone").build()).join();
        assertEquals(ErrorCode.LOGGED_OUT, phone.awaitGoAway().getCode());

        TestDevice again = TestDevice.connect(loop, cluster.access(1));
        assertEquals(ErrorCode.TOKEN_REVOKED, failureCode(again.client.authWithRefreshToken(phoneRefresh, DevicePlatform.DEVICE_PLATFORM_PHONE)));
        assertTrue(tablet.client.refresh(tabletRefresh).join().getAccessTokenExpiresAtMs() > System.currentTimeMillis());
        tablet.client.logout(LogoutRequest.getDefaultInstance()).join();
        tablet.awaitClosed();
        TestDevice tabletAgain = TestDevice.connect(loop, cluster.access(0));
        assertEquals(ErrorCode.TOKEN_REVOKED, failureCode(tabletAgain.client.authWithRefreshToken(tabletRefresh,
                DevicePlatform.DEVICE_PLATFORM_TABLET)));
    }

    @Test
    void logoutOfADeviceTheUserDoesNotHaveIsInvalid() {
        TestDevice phone = TestDevice.login(loop, cluster.access(0), token(1006, "phone", -1000), DevicePlatform.DEVICE_PLATFORM_PHONE);

        assertEquals(ErrorCode.INVALID_REQUEST, failureCode(phone.client.logout(LogoutRequest.newBuilder().setDeviceId("not-mine").build())));
        assertFalse(phone.goAway.isDone());
        phone.client.close();
    }
}

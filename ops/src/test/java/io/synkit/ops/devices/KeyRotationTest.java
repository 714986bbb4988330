package io.synkit.ops.devices;

import static io.synkit.ops.devices.TestDevice.failureCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.RefreshResponse;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HMAC key rotation as docs/operations.md §7 runs it, through real servers: access nodes with the
 * old key only, then old and new (verifying both, signing old), then signing new, then new only.
 * A client connected from the start stays connected; refresh tokens carried across the switch are
 * signed again with the new key and keep working once the old key is gone; only tokens nobody
 * refreshed meanwhile end with TOKEN_KEY_UNKNOWN.
 */
class KeyRotationTest {

    private static final String OLD = "old:old-secret-0123456789-0123456789-abcdef";
    private static final String NEW = "new:new-secret-9876543210-9876543210-fedcba";
    private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);

    @Test
    void rotatingTheSigningKeyLogsNobodyOut() throws Exception {
        EventLoopGroup loops = NettyThreads.group("rotation-test", 1);
        try (DeviceCluster cluster = DeviceCluster.start()) {
            EventLoop loop = loops.next();
            int oldOnly = cluster.startAccess(Map.of("access.auth.keys", OLD));
            TokenCodec issuer = new TokenCodec(AuthKeys.parse(OLD, null), Clock.SYSTEM);
            long user = 2001;
            TestDevice connected = TestDevice.login(loop, cluster.access(oldOnly), issuer.issue(user, "desktop", DAY_MS),
                    DevicePlatform.DEVICE_PLATFORM_DESKTOP);
            String phoneRefresh = issuer.issueRefresh(user, "phone", 30 * DAY_MS);
            String tabletRefresh = issuer.issueRefresh(user, "tablet", 30 * DAY_MS);

            // 1. Every node verifies both keys, still signing with the old one.
            int verifyingBoth = cluster.startAccess(Map.of("access.auth.keys", OLD + "," + NEW, "access.auth.signing.kid", "old"));
            TestDevice phone = TestDevice.connect(loop, cluster.access(verifyingBoth));
            AuthResponse first = phone.client.authWithRefreshToken(phoneRefresh, DevicePlatform.DEVICE_PLATFORM_PHONE).join();
            assertTrue(first.getAccessToken().startsWith("old."), first.getAccessToken());

            // 2. Signing switches to the new key: refreshes hand out tokens of the new key, for the same login.
            int signingNew = cluster.startAccess(Map.of("access.auth.keys", OLD + "," + NEW, "access.auth.signing.kid", "new"));
            TestDevice phoneAgain = TestDevice.connect(loop, cluster.access(signingNew));
            AuthResponse switched = phoneAgain.client.authWithRefreshToken(first.getRefreshToken(), DevicePlatform.DEVICE_PLATFORM_PHONE).join();
            assertTrue(switched.getAccessToken().startsWith("new.") && switched.getRefreshToken().startsWith("new."), switched.toString());
            RefreshResponse renewed = phoneAgain.client.refresh(switched.getRefreshToken()).join();
            assertTrue(renewed.getAccessToken().startsWith("new."), renewed.getAccessToken());

            // 3. The old key is retired: what was signed again works, what nobody refreshed does not.
            int newOnly = cluster.startAccess(Map.of("access.auth.keys", NEW));
            TestDevice phoneLater = TestDevice.login(loop, cluster.access(newOnly), renewed.getAccessToken(), DevicePlatform.DEVICE_PLATFORM_PHONE);
            phoneLater.client.heartbeat().join();
            TestDevice phoneByRefresh = TestDevice.connect(loop, cluster.access(newOnly));
            phoneByRefresh.client.authWithRefreshToken(renewed.getRefreshToken(), DevicePlatform.DEVICE_PLATFORM_PHONE).join();
            TestDevice tablet = TestDevice.connect(loop, cluster.access(newOnly));
            assertEquals(ErrorCode.TOKEN_KEY_UNKNOWN, failureCode(tablet.client.authWithRefreshToken(tabletRefresh,
                    DevicePlatform.DEVICE_PLATFORM_TABLET)));

            connected.client.heartbeat().join();
            assertFalse(connected.goAway.isDone(), "the link connected before the rotation was never ended");
            connected.client.close();
            phoneByRefresh.client.close();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

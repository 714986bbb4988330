package io.synkit.ops.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.HeartbeatResponse;
import io.synkit.runtime.Clock;
import io.synkit.runtime.ManualClock;
import io.synkit.runtime.NettyThreads;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Presence through real servers: a device is online while its link is heard from within one and a
 * half of its heartbeat intervals; a half-open link (silent, not closed) turns offline within that
 * window, long before the node closes it as idle; another device of the user sees it. The access
 * node runs on a clock the test moves, so silence lasts exactly as long as the test says.
 */
class PresenceTest {

    private static final long HOUR_MS = 3_600_000;

    @Test
    void aSilentLinkTurnsOfflineWithinOneAndAHalfOfItsHeartbeatIntervalsWhileItsLinkStaysOpen() throws Exception {
        EventLoopGroup loops = NettyThreads.group("presence-test", 1);
        try (DeviceCluster cluster = DeviceCluster.start()) {
            ManualClock clock = new ManualClock(System.currentTimeMillis(), System.nanoTime());
            int node = cluster.startAccess(Map.of("access.heartbeat.interval.ms", "30000"), clock);
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            TestDevice phone = TestDevice.login(loops.next(), cluster.access(node), tokens.issue(4001, "phone", HOUR_MS),
                    DevicePlatform.DEVICE_PLATFORM_PHONE);
            TestDevice tablet = TestDevice.login(loops.next(), cluster.access(node), tokens.issue(4001, "tablet", HOUR_MS),
                    DevicePlatform.DEVICE_PLATFORM_TABLET);
            HeartbeatResponse adapted = phone.client.heartbeat(60_000).join();
            assertEquals(30_000, adapted.getHeartbeatIntervalMs());
            assertEquals(300_000, adapted.getHeartbeatIntervalMaxMs());
            assertTrue(tablet.seesOnline("phone"), "online right after a heartbeat");

            clock.advanceMs(89_000);
            assertTrue(tablet.seesOnline("phone"), "still online 89 s into a 60 s interval (window 90 s)");
            clock.advanceMs(2_000);
            assertFalse(tablet.seesOnline("phone"), "offline 91 s after its last frame: half-open or gone");
            assertFalse(phone.closed.isDone(), "its link stays open until its idle timeout (180 s for a 60 s interval)");

            phone.client.heartbeat(60_000).join();
            assertTrue(tablet.seesOnline("phone"), "online again with its next heartbeat");
            phone.client.close();
            tablet.client.close();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

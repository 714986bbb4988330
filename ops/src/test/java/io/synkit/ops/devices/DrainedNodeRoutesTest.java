package io.synkit.ops.devices;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.synkit.access.server.AccessServer;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A drained node's links close without removing their routes (docs/protocol.md §11), so after
 * the drain the routes of its devices name a node that left, until each device logs in again.
 * Through real servers: such a route shows no device online, and a message sent meanwhile, whose
 * notify goes to the departed node, reaches the device at its next login's sync.
 */
class DrainedNodeRoutesTest {

    private static final long HOUR_MS = 3_600_000;
    private static final long PHONE_USER = 6001;
    private static final long SENDER_USER = 6002;

    @Test
    void aRouteNamingADrainedNodeShowsNoDeviceOnlineAndAMessageSentMeanwhileReachesTheDeviceAtItsNextLogin() throws Exception {
        EventLoopGroup loops = NettyThreads.group("drained-routes-test", 1);
        try (DeviceCluster cluster = DeviceCluster.start()) {
            EventLoop loop = loops.next();
            TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
            int leaving = cluster.startAccess(Map.of("access.drain.timeout.ms", "0"));
            TestDevice phone = TestDevice.login(loop, cluster.access(leaving), tokens.issue(PHONE_USER, "phone", HOUR_MS),
                    DevicePlatform.DEVICE_PLATFORM_PHONE);
            TestDevice tablet = TestDevice.login(loop, cluster.access(0), tokens.issue(PHONE_USER, "tablet", HOUR_MS),
                    DevicePlatform.DEVICE_PLATFORM_TABLET);
            TestDevice sender = TestDevice.login(loop, cluster.access(0), tokens.issue(SENDER_USER, "phone", HOUR_MS),
                    DevicePlatform.DEVICE_PLATFORM_PHONE);
            assertTrue(tablet.seesOnline("phone"), "online while its node holds its link");

            AccessServer drained = cluster.accessServer(leaving);
            drained.drain();
            drained.close();
            phone.awaitGoAway();
            phone.awaitClosed();

            assertFalse(tablet.seesOnline("phone"), "its route names a node that left: offline");
            String conv = "d:" + PHONE_USER + ":" + SENDER_USER;
            SendAck sent = sender.client.send(SendRequest.newBuilder().setConvId(conv).setClientMsgId("while-away")
                    .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("sent while the phone was away")).build()).join();

            TestDevice back = TestDevice.login(loop, cluster.access(1), tokens.issue(PHONE_USER, "phone", HOUR_MS),
                    DevicePlatform.DEVICE_PLATFORM_PHONE);
            SyncResponse page = back.client.sync(SyncKey.getDefaultInstance(), 100).join();
            assertTrue(page.getOpsList().stream().map(Op::getMessage)
                    .anyMatch(m -> m.getClientMsgId().equals("while-away") && m.getConvSeq() == sent.getConvSeq()),
                    "the message sent while its route named the drained node: " + page);
            assertTrue(tablet.seesOnline("phone"), "online again on the other node");
            back.client.close();
            tablet.client.close();
            sender.client.close();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ListDevicesRequest;
import io.synkit.protocol.client.LogoutRequest;
import io.synkit.protocol.client.RefreshRequest;
import io.synkit.protocol.client.SyncRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random bytes into real link pipelines (frame decoder, message decoder, the link and its
 * policies), before and after auth: random bytes, frames of random bodies behind valid length
 * prefixes, and valid frames with a few bytes changed, in chunks cut anywhere. No exception may
 * escape the pipeline, no buffer may leak, and once the links close none is left counted as
 * unauthenticated or registered as a session. Bounded for CI ({@code -Dsynkit.fuzz.iterations},
 * default 2,000 links, a few seconds); the seed is printed and replays the run ({@code -Dsynkit.test.seed}).
 */
@ExtendWith(ByteBufLeaks.class)
class LinkInputFuzzTest {

    private static final long SEED = Long.getLong("synkit.test.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("synkit.fuzz.iterations", 2_000);

    @Test
    void noInputMakesALinkThrowLeakOrStayCounted() throws Exception {
        System.out.println("LinkInputFuzzTest seed=" + SEED + " iterations=" + ITERATIONS + " (replay: -Dsynkit.test.seed=" + SEED + ")");
        Random random = new Random(SEED);
        try (LinkHarness links = new LinkHarness(LinkHarness.settings(ITERATIONS + 1))) {
            List<SlowReaderChannel> channels = new ArrayList<>();
            for (int i = 0; i < ITERATIONS; i++) {
                SlowReaderChannel channel = random.nextBoolean() ? links.connect() : links.authenticated(1 + random.nextInt(50), "d" + i);
                channels.add(channel);
                byte[] input = input(random, links);
                try {
                    for (int at = 0; at < input.length && channel.isOpen(); ) {
                        int chunk = 1 + random.nextInt(input.length - at);
                        channel.writeInbound(Unpooled.wrappedBuffer(input, at, chunk));
                        at += chunk;
                    }
                    channel.runPendingTasks();
                    channel.checkException();
                } catch (Exception | Error e) {
                    fail("input of " + input.length + " bytes threw " + e + " at iteration " + i + " (seed=" + SEED + ")", e);
                }
                links.received(channel);
                links.logic.pending.clear();
            }
            for (SlowReaderChannel channel : channels) {
                channel.close();
                channel.runPendingTasks();
            }
            assertEquals(0, links.unauthenticated.count(), "links left counted as unauthenticated (seed=" + SEED + ")");
            assertEquals(0, links.sessions.size(), "sessions left registered (seed=" + SEED + ")");
        }
    }

    /** One input: random bytes, a random body behind a valid prefix, or a valid frame with a few bytes changed. */
    private static byte[] input(Random random, LinkHarness links) {
        switch (random.nextInt(3)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(256)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1 -> {
                byte[] body = new byte[random.nextInt(300)];
                random.nextBytes(body);
                return framed(body);
            }
            default -> {
                byte[] frame = framed(validFrame(random, links).toByteArray());
                for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                    frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
                }
                return frame;
            }
        }
    }

    private static ClientFrame validFrame(Random random, LinkHarness links) {
        long requestId = 1 + random.nextInt(10);
        return switch (random.nextInt(6)) {
            case 0 -> links.auth(1, "phone", 60_000);
            case 1 -> links.heartbeat();
            case 2 -> ClientFrame.newBuilder().setRequestId(requestId).setSync(SyncRequest.getDefaultInstance()).build();
            case 3 -> ClientFrame.newBuilder().setRequestId(requestId).setListDevices(ListDevicesRequest.getDefaultInstance()).build();
            case 4 -> ClientFrame.newBuilder().setRequestId(requestId).setLogout(LogoutRequest.newBuilder().setDeviceId("x")).build();
            default -> ClientFrame.newBuilder().setRequestId(requestId)
                    .setRefresh(RefreshRequest.newBuilder().setRefreshToken(links.tokens.issueRefresh(1, "phone", 60_000))).build();
        };
    }

    private static byte[] framed(byte[] body) {
        ByteBuf frame = Unpooled.buffer(4 + body.length).writeInt(body.length).writeBytes(body);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}

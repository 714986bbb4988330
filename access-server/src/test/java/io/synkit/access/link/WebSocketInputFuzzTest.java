package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.SyncRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random input into real WebSocket link pipelines (the HTTP upgrade parser, the WebSocket frame
 * decoder, the binary-message-to-frame adapter, then the link as over TCP): random bytes, random
 * upgrade requests, a valid upgrade followed by random bytes, and a valid upgrade followed by
 * masked binary messages carrying valid or changed frames (after the 101 or in the same write as
 * the request), in chunks cut anywhere. No exception
 * may escape, no buffer may leak, and once the links close none is left counted. Bounded for CI
 * ({@code -Dsynkit.fuzz.iterations}, default 1,000 links, a few seconds); the seed is printed and replays the run
 * ({@code -Dsynkit.test.seed}).
 */
@ExtendWith(ByteBufLeaks.class)
class WebSocketInputFuzzTest {

    private static final long SEED = Long.getLong("synkit.test.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("synkit.fuzz.iterations", 1_000);
    private static final String PATH = "/synkit";

    @Test
    void noInputMakesAWebSocketLinkThrowLeakOrStayCounted() throws Exception {
        System.out.println("WebSocketInputFuzzTest seed=" + SEED + " iterations=" + ITERATIONS + " (replay: -Dsynkit.test.seed=" + SEED + ")");
        Random random = new Random(SEED);
        try (LinkHarness links = new LinkHarness(LinkHarness.settings(ITERATIONS + 1))) {
            List<SlowReaderChannel> channels = new ArrayList<>();
            int reachedLogic = 0; // logins the inputs got to: the fuzz reaches past the upgrade
            for (int i = 0; i < ITERATIONS; i++) {
                SlowReaderChannel channel = links.connectWebSocket(PATH);
                channels.add(channel);
                byte[][] input = input(random, links, i);
                try {
                    // The second part is sent once the first is processed (after the 101); what a client sends before it is input too.
                    for (byte[] part : input) {
                        for (int at = 0; at < part.length && channel.isOpen(); ) {
                            int chunk = 1 + random.nextInt(part.length - at);
                            channel.writeInbound(Unpooled.wrappedBuffer(part, at, chunk));
                            at += chunk;
                        }
                        channel.runPendingTasks();
                    }
                    channel.checkException();
                } catch (Exception | Error e) {
                    fail("input of " + (input[0].length + input[1].length) + " bytes threw " + e + " at iteration " + i + " (seed=" + SEED + ")", e);
                }
                channel.releaseOutbound();
                reachedLogic += (int) links.logic.requests.stream().filter(request -> request.hasLogin()).count();
                links.logic.requests.clear();
                links.logic.pending.clear();
            }
            for (SlowReaderChannel channel : channels) {
                channel.close();
                channel.runPendingTasks();
                channel.releaseOutbound();
            }
            assertTrue(reachedLogic > 0, "some inputs got through the upgrade and the frames to a login (seed=" + SEED + ")");
            assertEquals(0, links.unauthenticated.count(), "links left counted as unauthenticated (seed=" + SEED + ")");
            assertEquals(0, links.sessions.size(), "sessions left registered (seed=" + SEED + ")");
        }
    }

    /** One link's input in two parts, the second sent once the first is processed: what comes before and after the upgrade. */
    private static byte[][] input(Random random, LinkHarness links, int iteration) {
        byte[] upgrade = WebSocketMessages.upgradeRequest("access-1", PATH);
        switch (random.nextInt(4)) {
            case 0 -> {
                return new byte[][] {randomBytes(random, 512), new byte[0]};
            }
            case 1 -> {
                return new byte[][] {mutate(random, upgrade), randomBytes(random, 64)};
            }
            case 2 -> {
                return new byte[][] {upgrade, randomBytes(random, 512)};
            }
            default -> {
                ClientFrame auth = links.auth(1 + random.nextInt(50), "w" + iteration, 60_000);
                byte[] frames = concat(framed(auth.toByteArray()),
                        framed(ClientFrame.newBuilder().setRequestId(2).setSync(SyncRequest.getDefaultInstance()).build().toByteArray()));
                byte[] message = WebSocketMessages.binary(random.nextBoolean() ? frames : mutate(random, frames), random.nextInt());
                byte[] sent = random.nextInt(4) == 0 ? mutate(random, message) : message;
                // Half the clients send their first message with the upgrade request, without waiting for the 101.
                return random.nextBoolean() ? new byte[][] {upgrade, sent} : new byte[][] {concat(upgrade, sent), new byte[0]};
            }
        }
    }

    private static byte[] framed(byte[] body) {
        byte[] frame = new byte[4 + body.length];
        frame[0] = (byte) (body.length >>> 24);
        frame[1] = (byte) (body.length >>> 16);
        frame[2] = (byte) (body.length >>> 8);
        frame[3] = (byte) body.length;
        System.arraycopy(body, 0, frame, 4, body.length);
        return frame;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** A few bytes changed at random places. */
    private static byte[] mutate(Random random, byte[] bytes) {
        byte[] changed = bytes.clone();
        for (int n = 1 + random.nextInt(4); n > 0 && changed.length > 0; n--) {
            changed[random.nextInt(changed.length)] = (byte) random.nextInt(256);
        }
        return changed;
    }

    private static byte[] randomBytes(Random random, int lengthMax) {
        byte[] bytes = new byte[random.nextInt(lengthMax)];
        random.nextBytes(bytes);
        return bytes;
    }
}

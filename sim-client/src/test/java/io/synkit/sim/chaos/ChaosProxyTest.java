package io.synkit.sim.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.EventLoopGroup;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaos proxy over real loopback sockets, in front of an {@link EchoServer}. Timing
 * assertions are lower bounds only (a loaded machine can always be slower). Every test prints
 * its seed; {@code -Dchaos.seed=N} replays one. After each test, {@link ByteBufLeaks} fails it if
 * the proxy leaked a buffer.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class ChaosProxyTest {

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** How long a read may wait before a test calls the link broken. */
    private static final int READ_TIMEOUT_MS = 10_000;
    /** How long a read waits to show a link is silent (no data, no EOF, no reset). */
    private static final int SILENCE_MS = 700;
    private static final int TRANSFER_BYTES = 320 * 1024;

    private static EventLoopGroup group;

    @BeforeAll
    static void startLoops() {
        ByteBufLeaks.listen();
        group = NettyThreads.group("chaos-test", 2);
    }

    @AfterEach
    void releasedEveryBuffer() throws InterruptedException {
        ByteBufLeaks.assertNoneLeaked();
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static Stream<LinkProfile> lossyProfiles() {
        LinkProfile wifi = LinkProfile.named("flaky-wifi");
        return Stream.of(
                // Resets end a transfer early by design; this test is about the bytes while a link is open.
                new LinkProfile("flaky-wifi-without-resets", wifi.latencyMs(), wifi.jitterMs(), wifi.bandwidthBytesPerSecond(),
                        wifi.stallsPerMinute(), wifi.stallMsMin(), wifi.stallMsMax(), 0, wifi.halfOpensPerMinute(), wifi.natIdleTimeoutMs()),
                LinkProfile.named("3g"),
                new LinkProfile("stall-storm", 5, 5, 500_000, 1_200, 20, 100, 0, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossyProfiles")
    void bytesArriveIntactAndInOrderThroughLossyLink(LinkProfile profile) throws Exception {
        long seed = seed("bytesArriveIntactAndInOrderThroughLossyLink[" + profile.name() + "]");
        byte[] sent = new byte[TRANSFER_BYTES];
        new SplittableRandom(seed).nextBytes(sent);
        try (EchoServer echo = new EchoServer(group); ChaosProxy proxy = new ChaosProxy(group, echo.address(), profile, seed)) {
            byte[] received = echoThrough(proxy.start(), sent, seed);

            assertEquals(sent.length, received.length, "bytes echoed, seed=" + seed);
            assertEquals(crc(sent), crc(received), "checksum, first difference at byte " + Arrays.mismatch(sent, received) + ", seed=" + seed);
            assertEquals(2L * sent.length, proxy.stats().bytesForwarded(), "each byte forwarded once each way, seed=" + seed);
            if (profile.name().equals("stall-storm")) {
                assertTrue(proxy.stats().stalls() > 0, "stalls during the transfer: " + proxy.stats() + ", seed=" + seed);
            }
        }
    }

    @Test
    void roundTripTakesAtLeastTwiceTheOneWayLatency() throws Exception {
        long seed = seed("roundTripTakesAtLeastTwiceTheOneWayLatency");
        LinkProfile profile = LinkProfile.named("3g");
        long roundTripNanosMin = 2 * TimeUnit.MILLISECONDS.toNanos(profile.latencyMs());
        try (EchoServer echo = new EchoServer(group); ChaosProxy proxy = new ChaosProxy(group, echo.address(), profile, seed);
                Socket socket = connect(proxy.start())) {
            byte[] ping = new byte[64];
            for (int i = 0; i < 3; i++) {
                long startNanos = System.nanoTime();
                socket.getOutputStream().write(ping);
                assertTrue(readFully(socket.getInputStream(), ping.length), "echo " + i + ", seed=" + seed);
                long roundTripNanos = System.nanoTime() - startNanos;
                assertTrue(roundTripNanos >= roundTripNanosMin,
                        "round trip " + i + " took " + TimeUnit.NANOSECONDS.toMillis(roundTripNanos) + " ms, latencyMs=" + profile.latencyMs() + ", seed=" + seed);
            }
        }
    }

    @Test
    void bandwidthCapHoldsTransferBackToItsRate() throws Exception {
        long seed = seed("bandwidthCapHoldsTransferBackToItsRate");
        long bytesPerSecond = 50_000;
        LinkProfile profile = new LinkProfile("cap-50kB", 0, 0, bytesPerSecond, 0, 0, 0, 0, 0, 0);
        byte[] sent = new byte[80_000];
        new SplittableRandom(seed).nextBytes(sent);
        // The bucket starts full, so its burst goes at once; the rest waits for tokens.
        long elapsedMsMin = (sent.length - TokenBucket.capacityBytes(bytesPerSecond)) * 1000 / bytesPerSecond;
        try (EchoServer echo = new EchoServer(group); ChaosProxy proxy = new ChaosProxy(group, echo.address(), profile, seed)) {
            InetSocketAddress address = proxy.start();
            long startNanos = System.nanoTime();
            byte[] received = echoThrough(address, sent, seed);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            assertEquals(crc(sent), crc(received), "checksum, seed=" + seed);
            assertTrue(elapsedMs >= elapsedMsMin, "sent " + sent.length + " B at " + bytesPerSecond + " B/s in " + elapsedMs + " ms, expected >= " + elapsedMsMin + " ms");
        }
    }

    @Test
    void resetClosesTheClientsConnectionAbruptly() throws Exception {
        long seed = seed("resetClosesTheClientsConnectionAbruptly");
        LinkProfile profile = new LinkProfile("reset-storm", 0, 0, 0, 0, 0, 0, 6_000, 0, 0);
        try (EchoServer echo = new EchoServer(group); ChaosProxy proxy = new ChaosProxy(group, echo.address(), profile, seed);
                Socket socket = connect(proxy.start())) {
            String ending = roundTripsUntilTheLinkEnds(socket, 3_000);
            System.out.println("client saw: " + ending);

            assertTrue(ending.startsWith("reset") || ending.equals("eof"), "client saw " + ending + ", seed=" + seed);
            awaitUntil(() -> proxy.stats().resets() >= 1, 2_000, "reset counted: " + proxy.stats());
            awaitUntil(() -> echo.closedCount() == 1, 2_000, "upstream side closed too");
        }
    }

    @Test
    void halfOpenLinkGoesSilentWithoutClosingEitherSide() throws Exception {
        long seed = seed("halfOpenLinkGoesSilentWithoutClosingEitherSide");
        LinkProfile profile = new LinkProfile("half-open-soon", 0, 0, 0, 0, 0, 0, 0, 600, 0);
        try (EchoServer echo = new EchoServer(group); ChaosProxy proxy = new ChaosProxy(group, echo.address(), profile, seed)) {
            try (Socket socket = connect(proxy.start())) {
                socket.setSoTimeout(SILENCE_MS);
                String ending = roundTripsUntilTheLinkEnds(socket, 5_000);

                assertEquals("silence", ending, "a half-open link neither closes nor resets, seed=" + seed);
                assertEquals(1, proxy.stats().halfOpens(), "half-opens: " + proxy.stats() + ", seed=" + seed);
                assertEquals(0, echo.closedCount(), "upstream still open, seed=" + seed);
            }
            // The client gives up; the server must still not hear of it.
            Thread.sleep(300);
            assertEquals(0, echo.closedCount(), "upstream still open after the client closed, seed=" + seed);
        }
    }

    @Test
    void idleLinkIsDroppedLikeANatMappingButAnActiveOneIsNot() throws Exception {
        long seed = seed("idleLinkIsDroppedLikeANatMappingButAnActiveOneIsNot");
        long natIdleTimeoutMs = 400;
        LinkProfile profile = new LinkProfile("nat-400ms", 0, 0, 0, 0, 0, 0, 0, 0, natIdleTimeoutMs);
        try (EchoServer echo = new EchoServer(group); ChaosProxy proxy = new ChaosProxy(group, echo.address(), profile, seed);
                Socket socket = connect(proxy.start())) {
            byte[] ping = new byte[16];
            for (int i = 0; i < 12; i++) {
                socket.getOutputStream().write(ping);
                assertTrue(readFully(socket.getInputStream(), ping.length), "echo " + i + ", seed=" + seed);
                Thread.sleep(50);
            }
            assertEquals(0, proxy.stats().natDrops(), "a link with a round trip every 50 ms outlives a " + natIdleTimeoutMs + " ms NAT timeout");

            long idleSinceNanos = System.nanoTime();
            awaitUntil(() -> proxy.stats().natDrops() == 1, 3_000, "NAT drop: " + proxy.stats());
            long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSinceNanos);
            assertTrue(idleMs >= natIdleTimeoutMs / 2, "dropped after only " + idleMs + " ms idle");

            socket.getOutputStream().write(ping);
            socket.setSoTimeout(SILENCE_MS);
            assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(), "the client sees silence, no EOF, no reset");
            awaitUntil(() -> echo.closedCount() == 1, 3_000, "upstream closed one idle period after the drop");
        }
    }

    @Test
    void linkSeedDependsOnProxySeedAndLinkIndex() {
        assertEquals(ChaosProxy.linkSeed(7, 3), ChaosProxy.linkSeed(7, 3));
        assertNotEquals(ChaosProxy.linkSeed(7, 3), ChaosProxy.linkSeed(7, 4));
        assertNotEquals(ChaosProxy.linkSeed(7, 3), ChaosProxy.linkSeed(8, 3));
        // Neighbouring (seed, index) pairs must not share a stream shifted by one.
        assertNotEquals(ChaosProxy.linkSeed(7, 4), ChaosProxy.linkSeed(8, 3));
    }

    // ---- helpers

    private static long seed(String test) {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (replay: -Dchaos.seed=" + seed + ")");
        return seed;
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.connect(address, CONNECT_TIMEOUT_MS);
        return socket;
    }

    /**
     * Writes {@code sent} in seeded random-sized pieces from a second thread while reading the
     * echo here; returns what came back (shorter only if the link ended early).
     */
    private static byte[] echoThrough(InetSocketAddress address, byte[] sent, long seed) throws Exception {
        try (Socket socket = connect(address)) {
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                SplittableRandom sizes = new SplittableRandom(seed);
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int offset = 0; offset < sent.length; ) {
                        int pieceBytes = Math.min(sent.length - offset, 1 + sizes.nextInt(8192));
                        out.write(sent, offset, pieceBytes);
                        offset += pieceBytes;
                    }
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            }, "chaos-test-writer");
            writer.start();
            byte[] received = new byte[sent.length];
            int receivedBytes = 0;
            InputStream in = socket.getInputStream();
            while (receivedBytes < received.length) {
                int readBytes = in.read(received, receivedBytes, received.length - receivedBytes);
                if (readBytes < 0) {
                    break;
                }
                receivedBytes += readBytes;
            }
            writer.join(READ_TIMEOUT_MS);
            if (writeFailure.get() != null) {
                fail("writing failed after " + receivedBytes + " bytes echoed, seed=" + seed, writeFailure.get());
            }
            return Arrays.copyOf(received, receivedBytes);
        }
    }

    /**
     * Round trips of a small ping until the link stops answering or the deadline passes.
     *
     * @return "eof", "reset: ..." (any other I/O error), "silence" (a read timed out) or "open"
     */
    private static String roundTripsUntilTheLinkEnds(Socket socket, long deadlineMs) {
        byte[] ping = new byte[32];
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        try {
            while (System.nanoTime() < deadlineNanos) {
                socket.getOutputStream().write(ping);
                if (!readFully(socket.getInputStream(), ping.length)) {
                    return "eof";
                }
            }
            return "open";
        } catch (SocketTimeoutException e) {
            return "silence";
        } catch (IOException e) {
            return "reset: " + e;
        }
    }

    /** Reads exactly {@code bytes} bytes; false on end of stream. */
    private static boolean readFully(InputStream in, int bytes) throws IOException {
        byte[] buffer = new byte[bytes];
        for (int readBytes = 0; readBytes < bytes; ) {
            int n = in.read(buffer, readBytes, bytes - readBytes);
            if (n < 0) {
                return false;
            }
            readBytes += n;
        }
        return true;
    }

    private static void awaitUntil(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadlineNanos) {
                fail("not within " + timeoutMs + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}

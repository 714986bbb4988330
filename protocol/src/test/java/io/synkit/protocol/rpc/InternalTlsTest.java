package io.synkit.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.runtime.ManualClock;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Internal RPC with mutual TLS: a peer with a certificate of the CA is served; a peer without a
 * certificate, or with one the CA did not sign, is refused before any call reaches the service;
 * new certificate files are picked up without a restart.
 */
class InternalTlsTest {

    private static final long CHECK_INTERVAL_MS = 1000;

    @TempDir
    Path dir;

    private final EventLoopGroup group = NettyThreads.group("tls-test", 1);
    private final ManualClock clock = new ManualClock(1_000_000);
    private final AtomicInteger served = new AtomicInteger();
    private TestCertificates ca;
    private RpcServer server;
    private String address;
    private Path serverDir;

    @BeforeEach
    void start() throws Exception {
        ca = new TestCertificates(dir.resolve("ca"), "synkit-ca");
        TestCertificates.NodeFiles store = ca.node("store");
        serverDir = dir.resolve("store-files");
        Files.createDirectories(serverDir);
        Files.copy(store.cert(), serverDir.resolve("tls.crt"));
        Files.copy(store.key(), serverDir.resolve("tls.key"));
        Files.copy(store.ca(), serverDir.resolve("ca.crt"));
        InternalTls tls = new InternalTls(serverDir.resolve("tls.crt"), serverDir.resolve("tls.key"), serverDir.resolve("ca.crt"), clock, CHECK_INTERVAL_MS);
        server = new RpcServer("tls-store", (payload, timeoutMs) -> {
            served.incrementAndGet();
            return CompletableFuture.completedFuture(BytesValue.of(payload));
        }, FrameLimits.internal(), tls);
        address = "127.0.0.1:" + server.start(group, group, new InetSocketAddress("127.0.0.1", 0)).getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aPeerWithACertificateOfTheCaIsServed() throws Exception {
        try (RpcClientPool logic = pool(ca.node("logic"))) {
            BytesValue request = BytesValue.of(ByteString.copyFromUtf8("hi"));
            assertEquals(BytesValue.of(request.toByteString()).toByteString(), logic.get(address).call(request, 5000).join(), "the echo of the request");
        }
        assertEquals(1, served.get());
    }

    @Test
    void aPeerWithoutACertificateIsRefusedBeforeItsCallReachesTheService() {
        try (RpcClientPool plain = new RpcClientPool(group, FrameLimits.internal(), 16)) {
            CompletionException refused = assertThrows(CompletionException.class, () -> plain.get(address).call(BytesValue.getDefaultInstance(), 5000).join());
            assertEquals(ErrorCode.UNAVAILABLE, RpcException.of(refused).error().getCode(), refused.toString());
        }
        assertEquals(0, served.get());
    }

    @Test
    void aPeerWhoseCertificateTheCaDidNotSignIsRefused() throws Exception {
        try (RpcClientPool impostor = pool(ca.selfSigned("impostor"))) {
            CompletionException refused = assertThrows(CompletionException.class, () -> impostor.get(address).call(BytesValue.getDefaultInstance(), 5000).join());
            assertEquals(ErrorCode.UNAVAILABLE, RpcException.of(refused).error().getCode(), refused.toString());
        }
        assertEquals(0, served.get());
    }

    @Test
    void newCertificateFilesAreUsedForNewConnectionsWithoutARestart() throws Exception {
        TestCertificates rotated = new TestCertificates(dir.resolve("ca2"), "synkit-ca-2");
        TestCertificates.NodeFiles store = rotated.node("store2");
        Files.copy(store.cert(), serverDir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(store.key(), serverDir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(store.ca(), serverDir.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        clock.advanceMs(CHECK_INTERVAL_MS);

        try (RpcClientPool oldPeer = pool(ca.node("logic")); RpcClientPool newPeer = pool(rotated.node("logic2"))) {
            assertThrows(CompletionException.class, () -> oldPeer.get(address).call(BytesValue.getDefaultInstance(), 5000).join(), "the old CA is out");
            newPeer.get(address).call(BytesValue.getDefaultInstance(), 5000).join();
        }
        assertEquals(1, served.get());
    }

    private RpcClientPool pool(TestCertificates.NodeFiles files) throws Exception {
        return new RpcClientPool(group, FrameLimits.internal(), 16, new InternalTls(files.cert(), files.key(), files.ca(), clock, CHECK_INTERVAL_MS));
    }
}

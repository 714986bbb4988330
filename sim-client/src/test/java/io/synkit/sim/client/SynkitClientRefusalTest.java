package io.synkit.sim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.Error;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A refusal at connect (protocol.md §6: a fatal UNAVAILABLE with request id 0 and a
 * retry_after_ms, then the close) reaches the reference client's pending Auth with its
 * retry-after, so the client comes back when the node asked instead of counting the node
 * unreachable; whether the refusal arrives after the Auth was read or before it was sent.
 */
class SynkitClientRefusalTest {

    private static final int RETRY_AFTER_MS = 1_234;
    private static final int PROMPT_S = 10;

    private final EventLoopGroup loops = new NioEventLoopGroup(1);

    @AfterEach
    void stop() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aRefusalAfterTheAuthWasReadFailsTheAuthWithTheRefusalsRetryAfter() throws Exception {
        try (ServerSocket listener = listener()) {
            CompletableFuture<ClientFrame> authRead = CompletableFuture.supplyAsync(() -> {
                try (Socket link = listener.accept()) {
                    DataInputStream in = new DataInputStream(link.getInputStream());
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    refuse(link);
                    return ClientFrame.parseFrom(frame);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ClientException refused = authRefused(listener);

            assertTrue(authRead.get(PROMPT_S, TimeUnit.SECONDS).hasAuth());
            assertRefusal(refused);
        }
    }

    @Test
    void aRefusalBeforeTheAuthWasSentFailsTheAuthWithTheRefusalsRetryAfter() throws Exception {
        try (ServerSocket listener = listener()) {
            CompletableFuture<Void> refusedAtOnce = CompletableFuture.runAsync(() -> {
                try (Socket link = listener.accept()) {
                    refuse(link); // closed without reading: an Auth that arrives later is answered with a reset
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            SynkitClient client = new SynkitClient(loops.next(), ClientListener.IGNORING, PROMPT_S * 1000L);
            CompletableFuture<AuthResponse> auth = client.connect((InetSocketAddress) listener.getLocalSocketAddress(), null).thenComposeAsync(connected -> {
                refusedAtOnce.join(); // the refusal and the close are on their way before the Auth is sent
                return client.auth("token");
            });
            // The refusal may even close the link before its connect is reported: that failure carries the retry-after too.
            ExecutionException failed = assertThrows(ExecutionException.class, () -> auth.get(PROMPT_S, TimeUnit.SECONDS));

            assertRefusal(ClientException.of(failed.getCause()));
        }
    }

    private ClientException authRefused(ServerSocket listener) throws Exception {
        SynkitClient client = new SynkitClient(loops.next(), ClientListener.IGNORING, PROMPT_S * 1000L);
        client.connect((InetSocketAddress) listener.getLocalSocketAddress(), null).get(PROMPT_S, TimeUnit.SECONDS);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> client.auth("token").get(PROMPT_S, TimeUnit.SECONDS));
        return ClientException.of(failed.getCause());
    }

    private static void assertRefusal(ClientException refused) {
        assertEquals(ErrorCode.UNAVAILABLE, refused.code(), refused.getMessage());
        assertEquals(RETRY_AFTER_MS, refused.retryAfterMs(), "the refusal's retry_after_ms, not 0 (an unreachable node): " + refused.getMessage());
        assertTrue(refused.getMessage().contains("this node has 4096 links waiting to authenticate"), refused.getMessage());
    }

    /** Writes a refusal at connect as an access node does (request id 0, fatal UNAVAILABLE, a retry-after) and closes. */
    private static void refuse(Socket link) throws Exception {
        byte[] refusal = ServerFrame.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.UNAVAILABLE).setFatal(true)
                .setRetryAfterMs(RETRY_AFTER_MS).setMessage("this node has 4096 links waiting to authenticate; retry after " + RETRY_AFTER_MS + " ms"))
                .build().toByteArray();
        DataOutputStream out = new DataOutputStream(link.getOutputStream());
        out.writeInt(refusal.length);
        out.write(refusal);
        out.flush();
    }

    private static ServerSocket listener() throws Exception {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }
}

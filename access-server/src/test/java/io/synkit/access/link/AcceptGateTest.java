package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.runtime.NettyThreads;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A link beyond the unauthenticated cap is refused on the accept thread: a real listener whose
 * links' only event loop is held busy still answers it at once, and no link reaches that loop.
 */
class AcceptGateTest {

    private static final int PROMPT_MS = 5_000;

    @Test
    void aLinkBeyondTheCapIsRefusedOnTheAcceptThreadWhileTheLinksLoopIsBusyAndNeverReachesIt() throws Exception {
        LinkHarness node = new LinkHarness(LinkHarness.settings(2));
        while (node.unauthenticated.tryEnter()) {
            // two links waiting to authenticate: the cap is full
        }
        EventLoopGroup accept = NettyThreads.group("test-accept", 1);
        EventLoopGroup links = NettyThreads.group("test-links", 1);
        CountDownLatch busy = new CountDownLatch(1);
        links.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger reachedLinksLoop = new AtomicInteger();
        Channel listener = listen(node, accept, links, link -> reachedLinksLoop.incrementAndGet());
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.localAddress()).getPort())) {
            socket.setSoTimeout(PROMPT_MS);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            ServerFrame refusal = ServerFrame.parseFrom(frame);

            assertEquals(ErrorCode.UNAVAILABLE, refusal.getError().getCode(), refusal.toString());
            assertTrue(refusal.getError().getFatal());
            assertEquals("this node has 2 links waiting to authenticate; retry after " + refusal.getError().getRetryAfterMs() + " ms",
                    refusal.getError().getMessage());
            int retryAfterMs = refusal.getError().getRetryAfterMs();
            assertTrue(retryAfterMs >= 1000 && retryAfterMs <= 2000, "jittered in [1 s, 2 s], as a refusal on the link's loop: " + retryAfterMs);
            assertEquals(-1, in.read(), "closed after the refusal");
        } finally {
            busy.countDown();
            listener.close().sync();
            accept.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            links.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            node.close();
        }
        assertEquals(0, reachedLinksLoop.get(), "the refused link never got a pipeline on the links' loop");
        assertEquals(1, node.count("synkit_access_links_refused", "reason", "unauthenticated_max"));
        assertEquals(2, node.unauthenticated.count(), "a refused link is never counted in");
    }

    @Test
    void belowTheCapALinkGoesOnToItsEventLoop() throws Exception {
        LinkHarness node = new LinkHarness(LinkHarness.settings(2));
        node.unauthenticated.tryEnter();
        EventLoopGroup accept = NettyThreads.group("test-accept", 1);
        EventLoopGroup links = NettyThreads.group("test-links", 1);
        CountDownLatch reached = new CountDownLatch(1);
        Channel listener = listen(node, accept, links, link -> reached.countDown());
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.localAddress()).getPort())) {
            assertTrue(socket.isConnected());
            assertTrue(reached.await(PROMPT_MS, TimeUnit.MILLISECONDS), "the link was handed to its loop");
        } finally {
            listener.close().sync();
            accept.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            links.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            node.close();
        }
        assertEquals(0, node.count("synkit_access_links_refused", "reason", "unauthenticated_max"));
    }

    /** A plain-TCP listener on a free loopback port with the node's gate; {@code onLink} sees each link that reaches {@code links}. */
    private static Channel listen(LinkHarness node, EventLoopGroup accept, EventLoopGroup links, Consumer<Channel> onLink) throws InterruptedException {
        return new ServerBootstrap().group(accept, links).channel(NioServerSocketChannel.class).handler(node.acceptGate())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel link) {
                        onLink.accept(link);
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }
}

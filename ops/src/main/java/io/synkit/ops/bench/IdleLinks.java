package io.synkit.ops.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.synkit.runtime.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Idle authenticated client links as the benches open them: each of its own user, authenticated
 * with a dev-key token, then silent. Shared by {@code ops bench links} (one access node) and the
 * workers of {@code ops bench connections} (several).
 */
final class IdleLinks {

    /** Loopback source addresses give each of them its own ephemeral port range (about 28,000 ports). */
    static final int LINKS_PER_SOURCE_ADDRESS = 25_000;
    private static final long TOKEN_TTL_MS = TimeUnit.HOURS.toMillis(2);

    /** What a link receives after its AuthResponse (notifies, GoAway), with the link's user. */
    interface Pushes {
        void received(long userId, ServerFrame frame);

        Pushes IGNORED = (userId, frame) -> { };
    }

    private IdleLinks() {
    }

    /**
     * Opens and authenticates {@code count} links, of users {@code firstUserId} on, user {@code u}
     * to {@code targets[u % targets.size()]} (workers with consecutive user ranges fill every target
     * evenly), at most {@code connectConcurrency} in progress at once, from 127.0.0.{@code firstSource} on ({@link #LINKS_PER_SOURCE_ADDRESS} per address).
     * Throws when one fails or the deadline passes.
     */
    static List<Channel> open(EventLoopGroup loops, List<InetSocketAddress> targets, int count, long firstUserId, int firstSource,
                              int connectConcurrency, Pushes pushes, long deadlineNs) throws Exception {
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        FrameLimits limits = FrameLimits.client();
        FrameEncoder encoder = new FrameEncoder(limits);
        Bootstrap bootstrap = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frame", new FrameDecoder(limits))
                                .addLast("decode", new ProtoDecoder<>(ServerFrame.parser()))
                                .addLast("encode", encoder)
                                .addLast("auth", new AuthAwaiter(pushes));
                    }
                });
        Semaphore slots = new Semaphore(connectConcurrency);
        ConcurrentLinkedQueue<Channel> open = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long startNs = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (!slots.tryAcquire(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("opened " + open.size() + " of " + count + " links within --timeout-s");
            }
            long userId = firstUserId + i;
            String source = "127.0.0." + (firstSource + i / LINKS_PER_SOURCE_ADDRESS);
            ClientFrame auth = ClientFrame.newBuilder().setRequestId(1)
                    .setAuth(AuthRequest.newBuilder().setToken(tokens.issue(userId, "bench", TOKEN_TTL_MS)).setClientVersion("bench/links")).build();
            bootstrap.connect(targets.get((int) (userId % targets.size())), new InetSocketAddress(source, 0)).addListener(connected -> {
                if (!connected.isSuccess()) {
                    failures.add("connect: " + connected.cause());
                    slots.release();
                    return;
                }
                Channel channel = ((ChannelFuture) connected).channel();
                AuthAwaiter awaiter = channel.pipeline().get(AuthAwaiter.class);
                awaiter.userId = userId;
                awaiter.answered.whenComplete((frame, failure) -> {
                    if (failure == null && frame.hasAuth()) {
                        open.add(channel);
                    } else {
                        failures.add(failure != null ? failure.toString() : frame.toString().replace('\n', ' '));
                        channel.close();
                    }
                    slots.release();
                });
                channel.writeAndFlush(auth);
            });
        }
        if (!slots.tryAcquire(connectConcurrency, Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("opened " + open.size() + " of " + count + " links within --timeout-s");
        }
        System.out.printf(java.util.Locale.ROOT, "opened %d authenticated links in %.1f s (%d failed) from 127.0.0.%d%s%n", open.size(),
                (System.nanoTime() - startNs) / 1e9, failures.size(), firstSource,
                count > LINKS_PER_SOURCE_ADDRESS ? "-" + (firstSource + (count - 1) / LINKS_PER_SOURCE_ADDRESS) : "");
        if (!failures.isEmpty()) {
            throw new IOException(failures.size() + " links failed to open or authenticate, first: " + failures.peek());
        }
        return new ArrayList<>(open);
    }

    /** Completes with the first frame the server sends (the answer to Auth); hands later frames to {@link Pushes}. */
    private static final class AuthAwaiter extends SimpleChannelInboundHandler<ServerFrame> {

        final CompletableFuture<ServerFrame> answered = new CompletableFuture<>();
        private final Pushes pushes;
        /** Set by the connect listener, on the channel's event loop, before the Auth frame is written. */
        long userId;

        AuthAwaiter(Pushes pushes) {
            this.pushes = pushes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ServerFrame frame) {
            if (!answered.complete(frame)) {
                pushes.received(userId, frame);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answered.completeExceptionally(new IOException("closed by the access node"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answered.completeExceptionally(cause);
            ctx.close();
        }
    }
}

package io.synkit.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Event loop groups with named daemon threads, so thread dumps say who is who. */
public final class NettyThreads {

    private NettyThreads() {
    }

    public static EventLoopGroup group(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException(name + " threads=" + threads + " must be >= 1");
        }
        return new NioEventLoopGroup(threads, new DefaultThreadFactory(name, true));
    }
}

package io.synkit.protocol.rpc;

import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link RpcClient} per remote address ("host:port"), created on first use. */
public final class RpcClientPool implements AutoCloseable {

    private final EventLoopGroup group;
    private final FrameLimits limits;
    private final int inflightCountMax;
    private final InternalTls tls;
    private final Map<String, RpcClient> clients = new ConcurrentHashMap<>();

    public RpcClientPool(EventLoopGroup group, FrameLimits limits, int inflightCountMax) {
        this(group, limits, inflightCountMax, null);
    }

    /** @param tls mutual TLS on every connection of the pool; null for plain TCP */
    public RpcClientPool(EventLoopGroup group, FrameLimits limits, int inflightCountMax, InternalTls tls) {
        this.group = group;
        this.limits = limits;
        this.inflightCountMax = inflightCountMax;
        this.tls = tls;
    }

    public RpcClient get(String hostPort) {
        return clients.computeIfAbsent(hostPort, key -> new RpcClient(parseAddress(key), group, limits, inflightCountMax, tls));
    }

    /** Parses "host:port" with a clear error naming the value. */
    public static InetSocketAddress parseAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("address '" + hostPort + "' must be host:port");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + hostPort + "' has a non-numeric port", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("address '" + hostPort + "' has port " + port + " outside 1..65535");
        }
        return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port);
    }

    @Override
    public void close() {
        clients.values().forEach(RpcClient::close);
        clients.clear();
    }
}

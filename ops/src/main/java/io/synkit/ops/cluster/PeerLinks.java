package io.synkit.ops.cluster;

import io.synkit.protocol.rpc.RpcClientPool;
import io.netty.channel.EventLoopGroup;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PeerLink} for every ordered pair of replicas of a local cluster, living in this
 * process, so a replica can be partitioned from its SET: {@link #isolate} cuts every link to and
 * from it (clients and logic still reach it directly), {@link #heal} restores them.
 */
public final class PeerLinks implements LocalCluster.PeerAddressing, AutoCloseable {

    private final EventLoopGroup group = NettyThreads.group("peer-link", 1);
    private final Map<String, PeerLink> byPair = new LinkedHashMap<>();

    @Override
    public synchronized String peerAddress(String fromNode, String toNode, String toAddress) throws InterruptedException {
        InetSocketAddress target = RpcClientPool.parseAddress(toAddress);
        PeerLink link = new PeerLink(group, new InetSocketAddress(target.getHostString(), target.getPort()));
        byPair.put(fromNode + ">" + toNode, link);
        return link.start();
    }

    /** Cuts every link from and to {@code node}. */
    public synchronized void isolate(String node) {
        set(node, true);
    }

    public synchronized void heal(String node) {
        set(node, false);
    }

    private void set(String node, boolean cut) {
        byPair.forEach((pair, link) -> {
            String[] ends = pair.split(">");
            if (ends[0].equals(node) || ends[1].equals(node)) {
                link.cut(cut);
            }
        });
    }

    @Override
    public synchronized void close() {
        byPair.values().forEach(PeerLink::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

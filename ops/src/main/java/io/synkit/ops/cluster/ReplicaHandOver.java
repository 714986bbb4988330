package io.synkit.ops.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.HandOverRequest;
import io.synkit.protocol.internal.HandOverResponse;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the primary of a SET of a local cluster to hand its role to a backup, and waits until the
 * new primary holds its lease: the first step of a planned restart, so it costs no election
 * timeout. The replica answers once it sent TimeoutNow and stepped down, or refuses (not the
 * primary, a hand-over runs, the backup did not catch up within the minimum election timeout).
 */
public final class ReplicaHandOver implements AutoCloseable {

    private static final long POLL_MS = 20;

    private final EventLoopGroup group = NettyThreads.group("ops-handover", 1);
    private final RpcClientPool clients = new RpcClientPool(group, FrameLimits.internal(), 4);
    private final ClusterStatus status = new ClusterStatus();

    /** What a hand-over did: who is primary now, in which epoch, and how long the SET took no writes. */
    public record Outcome(String fromNode, String toNode, long epoch, long writesPausedMs) {
        @Override
        public String toString() {
            return fromNode + " handed over to " + toNode + ", primary in epoch " + epoch + " after " + writesPausedMs + " ms";
        }
    }

    /**
     * Hands {@code primaryNode}'s role to its SET's most up-to-date backup, or to {@code toNode}
     * when present; returns once a new primary of the SET holds its lease.
     *
     * @throws IOException the node refused (it says why) or no new primary held a lease within {@code timeoutMs}
     */
    public Outcome handOver(LocalCluster cluster, String primaryNode, Optional<String> toNode, long timeoutMs)
            throws IOException, InterruptedException {
        long startNs = System.nanoTime();
        HandOverRequest.Builder request = HandOverRequest.newBuilder();
        toNode.ifPresent(node -> request.setTargetReplica(replicaIndex(node)));
        HandOverResponse answer;
        try {
            answer = StoreResponse.parseFrom(clients.get(cluster.storeRpc(primaryNode))
                    .call(StoreRequest.newBuilder().setHandOver(request).build(), timeoutMs).get(timeoutMs + 1000, TimeUnit.MILLISECONDS)).getHandOver();
        } catch (ExecutionException | InvalidProtocolBufferException e) {
            throw new IOException("refused: " + RpcException.of(e).getMessage(), e);
        } catch (TimeoutException e) {
            throw new IOException("hand-over of " + primaryNode + ": no answer within " + timeoutMs + " ms", e);
        }
        String set = primaryNode.substring(0, primaryNode.lastIndexOf("-r"));
        String target = set + "-r" + answer.getTargetReplica();
        long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0) {
            Optional<ReplicaStatus> now = status.query(cluster, target, 1000).status();
            if (now.isPresent() && now.get().getRole().equals("PRIMARY") && now.get().getLeaseValid() && now.get().getEpoch() > answer.getEpoch()) {
                return new Outcome(primaryNode, target, now.get().getEpoch(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            }
            Thread.sleep(POLL_MS); // the target stands and commits its first entry on its own schedule; bounded by the deadline
        }
        Map<String, ReplicaState> byNode = status.query(cluster, 1000);
        throw new IOException(primaryNode + " stepped down for " + target + " in epoch " + answer.getEpoch() + ", but " + target
                + " held no lease within " + timeoutMs + " ms (the SET elects the usual way): " + String.join("\n", ClusterStatus.format(byNode)));
    }

    /** The node of {@code set} that is primary with a lease now, if any. */
    public Optional<String> primaryOf(LocalCluster cluster, String set) {
        return status.query(cluster, 2000).entrySet().stream()
                .filter(e -> e.getValue().status().map(s -> s.getSetId().equals(set) && s.getRole().equals("PRIMARY") && s.getLeaseValid()).orElse(false))
                .map(Map.Entry::getKey).findFirst();
    }

    private static int replicaIndex(String node) {
        return Integer.parseInt(node.substring(node.lastIndexOf("-r") + 2));
    }

    @Override
    public void close() {
        status.close();
        clients.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

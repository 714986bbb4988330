package io.synkit.ops.cluster;

import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.ReplicaStatusRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.NettyThreads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Asks every store replica of a cluster for its replication state, the same state its /status shows. */
public final class ClusterStatus implements AutoCloseable {

    private final EventLoopGroup group = NettyThreads.group("ops-status", 1);
    private final RpcClientPool clients = new RpcClientPool(group, FrameLimits.internal(), 16);

    /** Status by node name; empty for a replica that did not answer within the timeout. */
    public Map<String, Optional<ReplicaStatus>> query(LocalCluster cluster, long timeoutMs) {
        Map<String, Optional<ReplicaStatus>> byNode = new LinkedHashMap<>();
        for (String node : cluster.storeNodes()) {
            byNode.put(node, query(cluster, node, timeoutMs));
        }
        return byNode;
    }

    /** One replica's status; empty when it did not answer within the timeout. */
    public Optional<ReplicaStatus> query(LocalCluster cluster, String node, long timeoutMs) {
        try {
            StoreResponse response = StoreResponse.parseFrom(clients.get(cluster.storeRpc(node))
                    .call(StoreRequest.newBuilder().setStatus(ReplicaStatusRequest.getDefaultInstance()).build(), timeoutMs)
                    .get(timeoutMs + 500, TimeUnit.MILLISECONDS));
            return Optional.of(response.getStatus());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Waits until every SET (the meta SET too) has a primary holding its lease; prints the table then. */
    public void awaitPrimaries(LocalCluster cluster, long timeoutMs) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadlineNs) {
            Map<String, Optional<ReplicaStatus>> byNode = query(cluster, 500);
            long serving = byNode.values().stream().flatMap(Optional::stream).filter(s -> s.getRole().equals("PRIMARY") && s.getLeaseValid())
                    .map(ReplicaStatus::getSetId).distinct().count();
            if (serving == cluster.storeNodes().size() / 3) { // every data SET and the meta SET
                format(byNode).forEach(System.out::println);
                return;
            }
            Thread.sleep(200); // processes start and elect on their own schedule; bounded by the deadline
        }
        throw new IllegalStateException("not every SET elected a primary within " + timeoutMs + " ms");
    }

    /** The node currently in {@code role} (PRIMARY or BACKUP) of {@code set}; the first one found. */
    public String nodeInRole(LocalCluster cluster, String set, String role) {
        return query(cluster, 500).entrySet().stream()
                .filter(e -> e.getValue().map(s -> s.getSetId().equals(set) && s.getRole().equals(role)).orElse(false))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("SET " + set + " has no " + role + " right now"));
    }

    /** Whether {@code node} answers and has caught up (it may vote again). */
    public boolean caughtUp(LocalCluster cluster, String node) {
        Optional<ReplicaStatus> replica = query(cluster, node, 1000);
        return replica.isPresent() && !replica.get().getCatchingUp() && replica.get().getStopReason().isEmpty();
    }

    /** One line per replica: SET, role, epoch, commit index, per backup how far it lags the primary, where its log starts. */
    public static List<String> format(Map<String, Optional<ReplicaStatus>> byNode) {
        Map<String, Long> primaryCommitBySet = new LinkedHashMap<>();
        byNode.values().forEach(status -> status.filter(s -> s.getRole().equals("PRIMARY"))
                .ifPresent(s -> primaryCommitBySet.merge(s.getSetId(), s.getCommitIndex(), Math::max)));
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-8s %-4s %-9s %6s %12s %12s %8s %12s %5s %-6s %s", "node", "set", "role", "epoch", "commit", "applied",
                "lag", "log_first", "map_v", "lease", "primary"));
        for (Map.Entry<String, Optional<ReplicaStatus>> entry : byNode.entrySet()) {
            if (entry.getValue().isEmpty()) {
                lines.add(String.format(Locale.ROOT, "%-8s %-4s %-9s", entry.getKey(), "?", "DOWN"));
                continue;
            }
            ReplicaStatus status = entry.getValue().get();
            Long primaryCommit = primaryCommitBySet.get(status.getSetId());
            String lag = primaryCommit == null ? "-" : Long.toString(Math.max(0, primaryCommit - status.getAppliedIndex()));
            lines.add(String.format(Locale.ROOT, "%-8s %-4s %-9s %6d %12d %12d %8s %12d %5s %-6s %s%s%s", entry.getKey(), status.getSetId(), status.getRole(),
                    status.getEpoch(), status.getCommitIndex(), status.getAppliedIndex(), lag, status.getFirstIndex(),
                    status.getSetId().equals(LocalCluster.META_SET) ? "-" : Long.toString(status.getSlotMapVersion()), status.getLeaseValid(),
                    status.getPrimary(), status.getCatchingUp() ? " catching-up (no vote)" : "",
                    status.getStopReason().isEmpty() ? "" : " stopped: " + status.getStopReason()));
        }
        return lines;
    }

    @Override
    public void close() {
        clients.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

package io.synkit.ops.cluster;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.ReplicaStatusRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the store replicas of a local cluster for their replication state, the same state their
 * admin {@code /status} shows. A replica whose process is not running is DOWN without asking
 * (another process may answer on its port); a running one that does not answer in time is
 * NO_ANSWER, never DOWN ({@link ReplicaState}).
 *
 * <p>All replicas are asked at once, under one deadline. Asked one after another with a short
 * timeout each, the first replica asked paid for the asking JVM's warm-up: the first call of a
 * fresh {@code ops} JVM loads the RPC classes and opens a connection, which took 2-6 s on a loaded
 * 2-core box against 4-150 ms for the calls after it, so {@code ops cluster status} showed the
 * live primary of the meta SET as DOWN (it is asked first) and its two backups with no primary.
 */
public final class ClusterStatus implements AutoCloseable {

    private static final StoreRequest STATUS_REQUEST = StoreRequest.newBuilder().setStatus(ReplicaStatusRequest.getDefaultInstance()).build();
    /** Beyond the call's own timeout (swept every 10 ms by the RPC client), before the caller stops waiting for it. */
    private static final long ANSWER_GRACE_MS = 500;
    private static final long POLL_MS = 200;

    private final EventLoopGroup group = NettyThreads.group("ops-status", 1);
    private final RpcClientPool clients = new RpcClientPool(group, FrameLimits.internal(), 16);

    /** Every replica's state by node name, asked at once; the whole query takes at most about {@code timeoutMs}. */
    public Map<String, ReplicaState> query(LocalCluster cluster, long timeoutMs) {
        Map<String, Asked> asked = new LinkedHashMap<>();
        for (String node : cluster.storeNodes()) {
            asked.put(node, ask(cluster, node, timeoutMs));
        }
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + ANSWER_GRACE_MS);
        Map<String, ReplicaState> byNode = new LinkedHashMap<>();
        asked.forEach((node, call) -> byNode.put(node, call.await(deadlineNs, timeoutMs)));
        return byNode;
    }

    /** One replica's state. */
    public ReplicaState query(LocalCluster cluster, String node, long timeoutMs) {
        return ask(cluster, node, timeoutMs).await(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs + ANSWER_GRACE_MS), timeoutMs);
    }

    /** A status call in flight to a running replica, or the state of one that is not running. */
    private record Asked(ReplicaState notRunning, long pid, CompletableFuture<ByteString> answer) {

        ReplicaState await(long deadlineNs, long timeoutMs) {
            if (notRunning != null) {
                return notRunning;
            }
            try {
                ByteString payload = answer.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                return ReplicaState.answered(StoreResponse.parseFrom(payload).getStatus());
            } catch (TimeoutException e) {
                return ReplicaState.noAnswer("pid " + pid + " runs; no answer within " + timeoutMs + " ms");
            } catch (ExecutionException | IOException e) {
                return ReplicaState.noAnswer("pid " + pid + " runs; " + RpcException.of(e).getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ReplicaState.noAnswer("pid " + pid + " runs; interrupted while asking");
            }
        }
    }

    private Asked ask(LocalCluster cluster, String node, long timeoutMs) {
        Optional<ProcessHandle> process;
        try {
            process = cluster.process(node);
        } catch (IOException e) {
            return new Asked(ReplicaState.down("cannot read its pid file: " + e.getMessage()), 0, null);
        }
        if (process.isEmpty()) {
            return new Asked(ReplicaState.down("no process of this cluster runs"), 0, null);
        }
        return new Asked(null, process.get().pid(), clients.get(cluster.storeRpc(node)).call(STATUS_REQUEST, timeoutMs));
    }

    /** Waits until every SET (the meta SET too) has a primary holding its lease; prints the table then. */
    public void awaitPrimaries(LocalCluster cluster, long timeoutMs) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadlineNs) {
            Map<String, ReplicaState> byNode = query(cluster, 500);
            long serving = byNode.values().stream().flatMap(state -> state.status().stream())
                    .filter(s -> s.getRole().equals("PRIMARY") && s.getLeaseValid()).map(ReplicaStatus::getSetId).distinct().count();
            if (serving == cluster.storeNodes().size() / 3) { // every data SET and the meta SET
                format(byNode).forEach(System.out::println);
                return;
            }
            Thread.sleep(POLL_MS); // processes start and elect on their own schedule; bounded by the deadline
        }
        throw new IllegalStateException("not every SET elected a primary within " + timeoutMs + " ms");
    }

    /** The node currently in {@code role} (PRIMARY or BACKUP) of {@code set}; the first one found. */
    public String nodeInRole(LocalCluster cluster, String set, String role) {
        return query(cluster, 500).entrySet().stream()
                .filter(e -> e.getValue().isIn(role) && e.getValue().status().orElseThrow().getSetId().equals(set))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("SET " + set + " has no " + role + " right now"));
    }

    /** Whether {@code node} answers and has caught up (it may vote again). */
    public boolean caughtUp(LocalCluster cluster, String node) {
        Optional<ReplicaStatus> replica = query(cluster, node, 1000).status();
        return replica.isPresent() && !replica.get().getCatchingUp() && replica.get().getStopReason().isEmpty();
    }

    /** One line per replica: SET, role, epoch, commit index, per backup how far it lags the primary, where its log starts. */
    public static List<String> format(Map<String, ReplicaState> byNode) {
        Map<String, Long> primaryCommitBySet = new LinkedHashMap<>();
        byNode.values().forEach(state -> state.status().filter(s -> s.getRole().equals("PRIMARY"))
                .ifPresent(s -> primaryCommitBySet.merge(s.getSetId(), s.getCommitIndex(), Math::max)));
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-8s %-4s %-9s %6s %12s %12s %8s %12s %5s %-6s %-16s %s", "node", "set", "role", "epoch", "commit", "applied",
                "lag", "log_first", "map_v", "lease", "version", "primary"));
        for (Map.Entry<String, ReplicaState> entry : byNode.entrySet()) {
            ReplicaState state = entry.getValue();
            if (state.status().isEmpty()) {
                String role = state.reach() == ReplicaState.Reach.DOWN ? "DOWN" : "NO-ANSWER";
                lines.add(String.format(Locale.ROOT, "%-8s %-4s %-9s %s", entry.getKey(), "?", role, state.detail()));
                continue;
            }
            ReplicaStatus status = state.status().get();
            Long primaryCommit = primaryCommitBySet.get(status.getSetId());
            String lag = primaryCommit == null ? "-" : Long.toString(Math.max(0, primaryCommit - status.getAppliedIndex()));
            lines.add(String.format(Locale.ROOT, "%-8s %-4s %-9s %6d %12d %12d %8s %12d %5s %-6s %-16s %s%s%s", entry.getKey(), status.getSetId(), status.getRole(),
                    status.getEpoch(), status.getCommitIndex(), status.getAppliedIndex(), lag, status.getFirstIndex(),
                    status.getSetId().equals(LocalCluster.META_SET) ? "-" : Long.toString(status.getSlotMapVersion()), status.getLeaseValid(),
                    version(status), status.getPrimary(), status.getCatchingUp() ? " catching-up (no vote)" : "",
                    status.getStopReason().isEmpty() ? "" : " stopped: " + status.getStopReason()));
        }
        return lines;
    }

    /** {@code build/protocol}, e.g. {@code 0.1.0/1}; {@code ?} from a replica that predates versions on its status. */
    private static String version(ReplicaStatus status) {
        return status.getBuildVersion().isEmpty() ? "?" : status.getBuildVersion() + "/" + status.getProtocolVersion();
    }

    @Override
    public void close() {
        clients.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

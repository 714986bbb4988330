package io.synkit.ops.cluster;

import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.GetSlotMapRequest;
import io.synkit.protocol.internal.GetSlotMapResponse;
import io.synkit.protocol.internal.PutSlotMapRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.InternalTls;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.NettyThreads;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads and changes the slot map held by the meta SET. A change is a compare-and-set on the
 * version, sent to the meta SET's primary (found by trying each replica and following "not the
 * primary" answers until {@code timeoutMs}).
 */
public final class SlotMapAdmin implements AutoCloseable {

    private static final long CALL_TIMEOUT_MS = 2000;
    private static final long RETRY_PAUSE_MS = 100;

    private final List<String> metaReplicas;
    private final EventLoopGroup group = NettyThreads.group("ops-slots", 1);
    private final RpcClientPool clients;

    public SlotMapAdmin(List<String> metaReplicas) {
        this(metaReplicas, null);
    }

    /** @param tls the certificate ops presents to a meta SET that runs internal mutual TLS; null for plain TCP */
    public SlotMapAdmin(List<String> metaReplicas, InternalTls tls) {
        if (metaReplicas.isEmpty()) {
            throw new IllegalArgumentException("no meta SET replicas given");
        }
        this.metaReplicas = List.copyOf(metaReplicas);
        this.clients = new RpcClientPool(group, FrameLimits.internal(), 16, tls);
    }

    /** The newest map any reachable meta replica holds; empty when none holds one. */
    public Optional<SlotMap> read() {
        SlotMap newest = null;
        RuntimeException lastFailure = null;
        for (String replica : metaReplicas) {
            try {
                GetSlotMapResponse response = call(replica, StoreRequest.newBuilder().setGetSlotMap(GetSlotMapRequest.getDefaultInstance()).build())
                        .getGetSlotMap();
                if (response.hasMap() && (newest == null || response.getMap().getVersion() > newest.version())) {
                    newest = SlotMap.fromRecord(response.getMap());
                }
            } catch (RuntimeException e) {
                lastFailure = e;
            }
        }
        if (newest == null && lastFailure != null) {
            throw new IllegalStateException("no meta replica answered: " + lastFailure.getMessage(), lastFailure);
        }
        return Optional.ofNullable(newest);
    }

    /**
     * Stores {@code map} if the meta SET's map is at {@code expectedVersion} (0: none yet).
     * Retries until the primary answers; a refusal because exactly this map is stored already
     * (an earlier attempt whose answer was lost) counts as done.
     */
    public SlotMap put(long expectedVersion, SlotMap map, long timeoutMs) throws InterruptedException {
        StoreRequest request = StoreRequest.newBuilder()
                .setPutSlotMap(PutSlotMapRequest.newBuilder().setExpectedVersion(expectedVersion).setMap(map.toRecord())).build();
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int next = 0;
        while (true) {
            String replica = metaReplicas.get(next % metaReplicas.size());
            try {
                return SlotMap.fromRecord(call(replica, request).getPutSlotMap().getMap());
            } catch (RpcException e) {
                if (!e.retryable()) {
                    // An earlier attempt may have been stored although its answer was lost (a
                    // timeout), or the same map was put before: the change is done.
                    Optional<SlotMap> stored = read();
                    if (stored.isPresent() && stored.get().toRecord().equals(map.toRecord())) {
                        return stored.get();
                    }
                }
                if (!e.retryable() || System.nanoTime() > deadlineNs) {
                    throw e;
                }
                String hint = e.primaryHint();
                next = metaReplicas.contains(hint) ? metaReplicas.indexOf(hint) : next + 1;
                Thread.sleep(RETRY_PAUSE_MS);
            }
        }
    }

    private StoreResponse call(String replica, StoreRequest request) {
        try {
            return StoreResponse.parseFrom(clients.get(replica).call(request, CALL_TIMEOUT_MS).get(CALL_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            RpcException error = RpcException.of(e);
            if (error.error().getCode() == ErrorCode.INTERNAL && !(e.getCause() instanceof RpcException)) {
                // Not an answer: the replica is down or slow. Another one may be the primary.
                throw new RpcException(ErrorCode.UNAVAILABLE, "meta replica " + replica + " did not answer: " + e);
            }
            throw error;
        }
    }

    @Override
    public void close() {
        clients.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

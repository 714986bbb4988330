package io.synkit.logic.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutorGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.StoreSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Calls the store SET that owns a user or conversation, retrying retryable failures (UNAVAILABLE,
 * TIMEOUT, WRONG_SET) with exponential backoff and full jitter, a bounded number of times. Every
 * attempt routes by the current slot map and tells the store which version it used; a WRONG_SET
 * answer makes the node fetch the store's newer map before the retry. Only idempotent
 * requests are sent through it, so a retry after an unknown outcome is safe; every store write is
 * idempotent by design (send dedup, fan-out dedup, routes are puts).
 *
 * <p>Failures are counted per SET and error code: every failed attempt in
 * {@code synkit_logic_store_attempts_failed_total{set,code}}, every call that failed for good
 * (retries spent, or not retryable) in {@code synkit_logic_store_calls_failed_total{set,code}}
 * ({@code set="unknown"} while no slot map is known).
 */
public final class StoreClient implements StoreCalls {

    /** The {@code set} label of failures before any slot map is known. */
    private static final String UNKNOWN_SET = "unknown";

    private final SlotMaps slotMaps;
    private final RpcClientPool clients;
    private final EventExecutorGroup scheduler;
    private final RandomGenerator random;
    private final StoreRetryPolicy policy;
    private final Map<String, String> primaryBySet = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;

    public StoreClient(SlotMaps slotMaps, RpcClientPool clients, EventExecutorGroup scheduler, RandomGenerator random, StoreRetryPolicy policy,
                       MeterRegistry metrics) {
        this.metrics = metrics;
        this.slotMaps = slotMaps;
        this.clients = clients;
        this.scheduler = scheduler;
        this.random = random;
        this.policy = policy;
    }

    @Override
    public SlotMap slotMap() {
        return slotMaps.current();
    }

    @Override
    public CompletableFuture<StoreResponse> forUser(long userId, StoreRequest request) {
        return call(map -> map.setOfUser(userId), request);
    }

    @Override
    public CompletableFuture<StoreResponse> forConversation(String convId, StoreRequest request) {
        return call(map -> map.setOfConversation(convId), request);
    }

    @Override
    public CompletableFuture<StoreResponse> call(StoreSet set, StoreRequest request) {
        return call(map -> set, request);
    }

    private CompletableFuture<StoreResponse> call(Function<SlotMap, StoreSet> route, StoreRequest request) {
        CompletableFuture<StoreResponse> result = new CompletableFuture<>();
        attempt(route, request, 1, result);
        return result;
    }

    /**
     * One attempt, routed by the map current now. A "not the primary" answer names the primary:
     * the next attempt goes there. Without a hint (the replica is down, or an election is running)
     * the next attempt tries the SET's next replica. WRONG_SET refreshes the map first.
     */
    private void attempt(Function<SlotMap, StoreSet> route, StoreRequest request, int attempt, CompletableFuture<StoreResponse> result) {
        SlotMap map;
        try {
            map = slotMaps.current();
        } catch (RpcException e) {
            retryOrFail(route, request, attempt, false, e, result, UNKNOWN_SET);
            return;
        }
        StoreSet set = route.apply(map);
        String cached = primaryBySet.get(set.setId());
        String replica = cached != null && set.replicas().contains(cached) ? cached : set.replicas().get(0);
        StoreRequest routed = request.toBuilder().setSlotMapVersion(map.version()).build();
        clients.get(replica).call(routed, policy.attemptTimeoutMs()).whenComplete((payload, failure) -> {
            if (failure == null) {
                primaryBySet.put(set.setId(), replica);
                complete(payload, result);
                return;
            }
            RpcException error = RpcException.of(failure);
            boolean hinted = false;
            if (error.error().getCode() == ErrorCode.WRONG_SET) {
                slotMaps.storeHasVersion(error.error().getSlotMapVersion());
            } else {
                String hint = error.primaryHint();
                hinted = !hint.isEmpty() && !hint.equals(replica) && set.replicas().contains(hint);
                primaryBySet.put(set.setId(), hinted ? hint : nextReplica(set, replica));
            }
            retryOrFail(route, request, attempt, hinted, error, result, set.setId());
        });
    }

    /** Retries after a backoff with full jitter (at once when a primary hint names where to go), or gives up. */
    private void retryOrFail(Function<SlotMap, StoreSet> route, StoreRequest request, int attempt, boolean hinted, RpcException error,
                             CompletableFuture<StoreResponse> result, String setId) {
        String code = error.error().getCode().name();
        metrics.counter("synkit.logic.store.attempts.failed", "set", setId, "code", code).increment();
        if (!error.retryable() || attempt >= policy.attemptsMax()) {
            metrics.counter("synkit.logic.store.calls.failed", "set", setId, "code", code).increment();
            result.completeExceptionally(error);
            return;
        }
        long backoffMs = hinted && attempt == 1 ? 0 : policy.backoffMs(attempt, random);
        scheduler.schedule(() -> attempt(route, request, attempt + 1, result), backoffMs, TimeUnit.MILLISECONDS);
    }

    private static String nextReplica(StoreSet set, String replica) {
        int index = set.replicas().indexOf(replica);
        return set.replicas().get((index + 1) % set.replicas().size());
    }

    private static void complete(ByteString payload, CompletableFuture<StoreResponse> result) {
        try {
            result.complete(StoreResponse.parseFrom(payload));
        } catch (InvalidProtocolBufferException e) {
            result.completeExceptionally(new RpcException(ErrorCode.INTERNAL, "store response does not parse: " + e.getMessage()));
        }
    }
}

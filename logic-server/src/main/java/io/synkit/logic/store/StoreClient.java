package io.synkit.logic.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
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
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Calls the store SET that owns a user or conversation, retrying retryable failures (UNAVAILABLE,
 * TIMEOUT) with exponential backoff and full jitter, a bounded number of times. Only idempotent
 * requests are sent through it, so a retry after an unknown outcome is safe; every store write is
 * idempotent by design (send dedup, fan-out dedup, routes are puts).
 */
public final class StoreClient {

    private final Supplier<SlotMap> slotMap;
    private final RpcClientPool clients;
    private final EventExecutorGroup scheduler;
    private final RandomGenerator random;
    private final StoreRetryPolicy policy;
    private final Map<String, String> primaryBySet = new ConcurrentHashMap<>();

    public StoreClient(Supplier<SlotMap> slotMap, RpcClientPool clients, EventExecutorGroup scheduler, RandomGenerator random, StoreRetryPolicy policy) {
        this.slotMap = slotMap;
        this.clients = clients;
        this.scheduler = scheduler;
        this.random = random;
        this.policy = policy;
    }

    public SlotMap slotMap() {
        return slotMap.get();
    }

    public CompletableFuture<StoreResponse> forUser(long userId, StoreRequest request) {
        return call(slotMap.get().setOfUser(userId), request);
    }

    public CompletableFuture<StoreResponse> forConversation(String convId, StoreRequest request) {
        return call(slotMap.get().setOfConversation(convId), request);
    }

    public CompletableFuture<StoreResponse> call(StoreSet set, StoreRequest request) {
        CompletableFuture<StoreResponse> result = new CompletableFuture<>();
        attempt(set, request, 1, primaryBySet.getOrDefault(set.setId(), set.replicas().get(0)), result);
        return result;
    }

    /**
     * One attempt at {@code replica}. A "not the primary" answer names the primary: the next
     * attempt goes there. Without a hint (the replica is down, or an election is running) the next
     * attempt tries the SET's next replica.
     */
    private void attempt(StoreSet set, StoreRequest request, int attempt, String replica, CompletableFuture<StoreResponse> result) {
        clients.get(replica).call(request, policy.attemptTimeoutMs()).whenComplete((payload, failure) -> {
            if (failure == null) {
                primaryBySet.put(set.setId(), replica);
                complete(payload, result);
                return;
            }
            RpcException error = RpcException.of(failure);
            if (!error.retryable() || attempt >= policy.attemptsMax()) {
                result.completeExceptionally(error);
                return;
            }
            String hint = error.error().getPrimaryHint();
            String next = !hint.isEmpty() && !hint.equals(replica) && set.replicas().contains(hint) ? hint : nextReplica(set, replica);
            primaryBySet.put(set.setId(), next);
            long backoffMs = next.equals(hint) && attempt == 1 ? 0 : policy.backoffMs(attempt, random);
            scheduler.schedule(() -> attempt(set, request, attempt + 1, next, result), backoffMs, TimeUnit.MILLISECONDS);
        });
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

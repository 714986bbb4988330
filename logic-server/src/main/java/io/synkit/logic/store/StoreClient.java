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
import java.util.concurrent.CompletableFuture;
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
        attempt(set, request, 1, result);
        return result;
    }

    private void attempt(StoreSet set, StoreRequest request, int attempt, CompletableFuture<StoreResponse> result) {
        String replica = set.replicas().get((attempt - 1) % set.replicas().size());
        clients.get(replica).call(request, policy.attemptTimeoutMs()).whenComplete((payload, failure) -> {
            if (failure == null) {
                complete(payload, result);
                return;
            }
            RpcException error = RpcException.of(failure);
            if (!error.retryable() || attempt >= policy.attemptsMax()) {
                result.completeExceptionally(error);
                return;
            }
            long backoffMs = policy.backoffMs(attempt, random);
            scheduler.schedule(() -> attempt(set, request, attempt + 1, result), backoffMs, TimeUnit.MILLISECONDS);
        });
    }

    private static void complete(ByteString payload, CompletableFuture<StoreResponse> result) {
        try {
            result.complete(StoreResponse.parseFrom(payload));
        } catch (InvalidProtocolBufferException e) {
            result.completeExceptionally(new RpcException(ErrorCode.INTERNAL, "store response does not parse: " + e.getMessage()));
        }
    }
}

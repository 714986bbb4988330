package io.synkit.logic.store;

import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.StoreSet;
import java.util.concurrent.CompletableFuture;

/**
 * The store SETs as the logic paths call them: a request goes to the SET that owns its user or
 * conversation (or to one named SET) and completes with the store's response or fails with an
 * {@code RpcException}. Production calls go through {@link StoreClient}; tests of the logic paths
 * put in-process stores behind this seam.
 */
public interface StoreCalls {

    /** The current slot map; throws UNAVAILABLE while none is known. */
    SlotMap slotMap();

    CompletableFuture<StoreResponse> forUser(long userId, StoreRequest request);

    CompletableFuture<StoreResponse> forConversation(String convId, StoreRequest request);

    /** A SET-wide request (outbox scan) to one SET, whatever the map says about keys. */
    CompletableFuture<StoreResponse> call(StoreSet set, StoreRequest request);
}

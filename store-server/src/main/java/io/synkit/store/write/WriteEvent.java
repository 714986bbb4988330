package io.synkit.store.write;

import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.internal.StoreResponse;
import java.util.concurrent.CompletableFuture;

/** One slot of the write ring: a command and who waits for its result. Reused; cleared after use. */
final class WriteEvent {

    StoreRequest request;
    CompletableFuture<StoreResponse> reply;
    StoreResponse response;
    RpcException rejection;

    void clear() {
        request = null;
        reply = null;
        response = null;
        rejection = null;
    }
}

package io.synkit.access.link;

import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Calls a logic node (logic is stateless: any node serves any request). The future fails with an
 * {@code RpcException} carrying the error the client is told. It may complete on any thread.
 */
@FunctionalInterface
public interface LogicClient {

    CompletableFuture<LogicResponse> call(LogicRequest request);
}

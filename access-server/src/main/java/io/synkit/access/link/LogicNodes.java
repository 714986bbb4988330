package io.synkit.access.link;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** The logic nodes of the config, called round robin over the internal RPC. */
public final class LogicNodes implements LogicClient {

    private final RpcClientPool pool;
    private final List<String> logicNodes;
    private final long timeoutMs;
    private final AtomicInteger next = new AtomicInteger();

    public LogicNodes(RpcClientPool pool, List<String> logicNodes, long timeoutMs) {
        if (logicNodes.isEmpty()) {
            throw new IllegalArgumentException("at least one logic node is needed");
        }
        this.pool = pool;
        this.logicNodes = List.copyOf(logicNodes);
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<LogicResponse> call(LogicRequest request) {
        String node = logicNodes.get(Math.floorMod(next.getAndIncrement(), logicNodes.size()));
        return pool.get(node).call(request, timeoutMs).thenApply(payload -> {
            try {
                return LogicResponse.parseFrom(payload);
            } catch (InvalidProtocolBufferException e) {
                throw new RpcException(ErrorCode.INTERNAL, "logic response does not parse: " + e.getMessage());
            }
        });
    }
}

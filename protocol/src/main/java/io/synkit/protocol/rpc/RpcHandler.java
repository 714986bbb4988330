package io.synkit.protocol.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.util.concurrent.CompletionStage;

/**
 * A service behind an {@link RpcServer}: parses its request from the payload and completes with
 * its response, or fails with an {@link RpcException} whose error goes back to the caller.
 * Called on a Netty event loop: it must not block.
 */
@FunctionalInterface
public interface RpcHandler {

    CompletionStage<? extends MessageLite> handle(ByteString payload, long timeoutMs);
}

package io.synkit.store.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.store.read.StoreReader;
import io.synkit.store.write.WritePipeline;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The store's RPC face: writes go to the {@link WritePipeline}, reads run on a bounded reader
 * pool (RocksDB reads may touch disk, so never on a Netty event loop). A replica that stopped
 * writing serves nothing: its RocksDB may hold a batch whose flush failed, never acknowledged.
 */
public final class StoreService implements RpcHandler {

    private final WritePipeline writes;
    private final StoreReader reads;
    private final ExecutorService readers;

    public StoreService(WritePipeline writes, StoreReader reads, ExecutorService readers) {
        this.writes = writes;
        this.reads = reads;
        this.readers = readers;
    }

    @Override
    public CompletionStage<? extends MessageLite> handle(ByteString payload, long timeoutMs) {
        StoreRequest request;
        try {
            request = StoreRequest.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "store request does not parse: " + e.getMessage());
        }
        String failure = writes.failure();
        if (failure != null) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "replica stopped: " + failure);
        }
        return switch (request.getBodyCase()) {
            case APPEND_CONV, APPEND_INBOX, PUT_ROUTE, REMOVE_ROUTE, OUTBOX_DONE -> writes.submit(request);
            case READ_INBOX -> read(() -> StoreResponse.newBuilder().setReadInbox(reads.readInbox(request.getReadInbox())).build());
            case READ_CONV -> read(() -> StoreResponse.newBuilder().setReadConv(reads.readConv(request.getReadConv())).build());
            case OUTBOX_SCAN -> read(() -> StoreResponse.newBuilder().setOutboxScan(reads.scanOutbox(request.getOutboxScan())).build());
            case BODY_NOT_SET -> throw new RpcException(ErrorCode.INVALID_REQUEST, "store request has no body");
        };
    }

    private CompletableFuture<StoreResponse> read(Supplier<StoreResponse> read) {
        try {
            return CompletableFuture.supplyAsync(read, readers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "store read queue full"));
        }
    }
}

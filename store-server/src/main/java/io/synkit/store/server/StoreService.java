package io.synkit.store.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.GetSlotMapResponse;
import io.synkit.protocol.internal.HandOverRequest;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.SlotMapRecord;
import io.synkit.protocol.internal.ReplicateAck;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.protocol.rpc.RpcPayloads;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.read.DeviceReader;
import io.synkit.store.read.StoreReader;
import io.synkit.store.replication.ReplicaGate;
import io.synkit.store.replication.ReplicaLoop;
import io.synkit.store.slot.SlotOwnership;
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
    private final ReplicaGate gate;
    private final ReplicaLoop replication;
    private final Supplier<ReplicaStatus> status;
    private final SlotOwnership ownership;
    private final StoreEngine engine;
    private final DeviceReader devices;

    /**
     * @param replication null for a SET of one replica
     */
    public StoreService(WritePipeline writes, StoreReader reads, ExecutorService readers, ReplicaGate gate, ReplicaLoop replication,
                        Supplier<ReplicaStatus> status, SlotOwnership ownership, StoreEngine engine) {
        this.writes = writes;
        this.reads = reads;
        this.readers = readers;
        this.gate = gate;
        this.replication = replication;
        this.status = status;
        this.ownership = ownership;
        this.engine = engine;
        this.devices = new DeviceReader(engine);
    }

    @Override
    public CompletionStage<? extends MessageLite> handle(ByteString payload, long timeoutMs) {
        StoreRequest request = RpcPayloads.parse(StoreRequest.parser(), payload, "store request");
        switch (request.getBodyCase()) {
            case REPLICATE -> {
                if (replication == null) {
                    throw new RpcException(ErrorCode.INVALID_REQUEST, "this store runs as a SET of one replica");
                }
                replication.receive(request.getReplicate());
                return CompletableFuture.completedFuture(StoreResponse.newBuilder().setReplicate(ReplicateAck.getDefaultInstance()).build());
            }
            case STATUS -> {
                return CompletableFuture.completedFuture(StoreResponse.newBuilder().setStatus(status.get()).build());
            }
            case HAND_OVER -> {
                return handOver(request.getHandOver());
            }
            default -> { }
        }
        String failure = writes.failure() != null ? writes.failure() : gate.stopReason();
        if (failure != null) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "replica stopped: " + failure);
        }
        if (request.getBodyCase() == StoreRequest.BodyCase.GET_SLOT_MAP) {
            return CompletableFuture.completedFuture(StoreResponse.newBuilder().setGetSlotMap(storedSlotMap()).build());
        }
        ownership.check(request);
        return switch (request.getBodyCase()) {
            case APPEND_CONV, APPEND_INBOX, PUT_ROUTE, REMOVE_ROUTE, OUTBOX_DONE, OUTBOX_DONE_BATCH, PUT_SLOT_MAP, CREATE_GROUP, ADD_MEMBERSHIP,
                    LOGIN_DEVICE, LOGOUT_DEVICES, MARK_READ -> {
                requirePrimary(gate.canTakeWrites(), "writes");
                yield writes.submit(request);
            }
            case READ_INBOX -> read(() -> StoreResponse.newBuilder().setReadInbox(reads.readInbox(request.getReadInbox())).build());
            case READ_CONV -> read(() -> StoreResponse.newBuilder().setReadConv(reads.readConv(request.getReadConv())).build());
            case OUTBOX_SCAN -> read(() -> StoreResponse.newBuilder().setOutboxScan(reads.scanOutbox(request.getOutboxScan())).build());
            case READ_GROUP -> read(() -> StoreResponse.newBuilder().setReadGroup(reads.readGroup(request.getReadGroup())).build());
            case READ_DEVICES -> read(() -> StoreResponse.newBuilder().setReadDevices(devices.readDevices(request.getReadDevices())).build());
            case READ_HISTORY -> read(() -> StoreResponse.newBuilder().setReadHistory(reads.readHistory(request.getReadHistory())).build());
            case READ_CONVERSATIONS -> read(() -> StoreResponse.newBuilder()
                    .setReadConversations(reads.readConversations(request.getReadConversations())).build());
            case READ_STREAM -> read(() -> StoreResponse.newBuilder().setReadStream(reads.readStream(request.getReadStream())).build());
            case READ_ROUTES -> read(() -> StoreResponse.newBuilder().setReadRoutes(reads.readRoutes(request.getReadRoutes())).build());
            case BODY_NOT_SET, REPLICATE, STATUS, GET_SLOT_MAP, HAND_OVER -> throw new RpcException(ErrorCode.INVALID_REQUEST, "store request has no body");
        };
    }

    /**
     * The slot map this replica has applied, served by any running replica without a lease: the
     * meta SET favours availability for reads, versions only move forward, and a caller acting
     * on a stale map is corrected by the next WRONG_SET answer.
     */
    private GetSlotMapResponse storedSlotMap() {
        byte[] stored = engine.get(Column.META, StoreKeys.slotMap());
        if (stored == null) {
            return GetSlotMapResponse.getDefaultInstance();
        }
        try {
            return GetSlotMapResponse.newBuilder().setMap(SlotMapRecord.parseFrom(stored)).build();
        } catch (InvalidProtocolBufferException e) {
            throw new RpcException(ErrorCode.INTERNAL, "the stored slot map does not parse: " + e.getMessage());
        }
    }

    /** An operator's hand-over; a refusal is UNAVAILABLE with the replica's reason (not the primary, a hand-over runs, target behind). */
    private CompletableFuture<StoreResponse> handOver(HandOverRequest request) {
        if (replication == null) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "this store runs as a SET of one replica: there is nobody to hand over to");
        }
        int target = request.hasTargetReplica() ? request.getTargetReplica() : -1;
        return replication.handOver(target).handle((done, failure) -> {
            if (failure != null) {
                throw new RpcException(ErrorCode.UNAVAILABLE, failure.getMessage());
            }
            return StoreResponse.newBuilder().setHandOver(done).build();
        });
    }

    /** Not the primary (or a primary without its lease): answer with where the primary is, so the caller retries there. */
    private void requirePrimary(boolean allowed, String what) {
        if (!allowed) {
            throw RpcException.notPrimary("cannot serve " + what + " here", gate.primaryHint());
        }
    }

    private CompletableFuture<StoreResponse> read(Supplier<StoreResponse> read) {
        requirePrimary(gate.canServeReads(), "reads");
        try {
            return CompletableFuture.supplyAsync(() -> {
                StoreResponse response = read.get();
                // The lease must still hold once the read is done, or a newer primary may have acked a write it misses.
                requirePrimary(gate.canServeReads(), "reads");
                return response;
            }, readers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "store read queue full"));
        }
    }
}

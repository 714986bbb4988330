package io.synkit.store.write;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.AppendInboxResponse;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.ReadConvResponse;
import io.synkit.protocol.internal.ReadInboxRequest;
import io.synkit.protocol.internal.ReadInboxResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.read.StoreReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One single-replica store on a real RocksDB: engine, local committer, write pipeline and reader,
 * wired as StoreServer wires them for a SET of one. Closing stops the pipeline, then the engine.
 */
final class StoreFixture implements AutoCloseable {

    static final int RING_SIZE = 1024;
    static final int BATCH_COMMANDS_MAX = 64;
    static final int READ_OPS_MAX = 1000;
    static final long REPLY_TIMEOUT_MS = 10_000;

    final StoreEngine engine;
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final WritePipeline pipeline;
    final StoreReader reader;

    StoreFixture(Path directory) {
        this(directory, LocalCommitter::new);
    }

    StoreFixture(Path directory, Function<StoreEngine, Committer> committer) {
        this(directory, committer, 1);
    }

    StoreFixture(Path directory, Function<StoreEngine, Committer> committer, int inflightBatchesMax) {
        this(directory, committer, inflightBatchesMax, Clock.SYSTEM);
    }

    /** A store whose commit times come from {@code clock}. */
    StoreFixture(Path directory, Clock clock) {
        this(directory, LocalCommitter::new, 1, clock);
    }

    private StoreFixture(Path directory, Function<StoreEngine, Committer> committer, int inflightBatchesMax, Clock clock) {
        engine = new StoreEngine(directory);
        pipeline = new WritePipeline(engine, committer.apply(engine), clock, RING_SIZE, BATCH_COMMANDS_MAX, inflightBatchesMax, metrics);
        reader = new StoreReader(engine, clock, READ_OPS_MAX);
    }

    static MessageOp message(long senderUserId, String convId, String clientMsgId, String text) {
        return MessageOp.newBuilder()
                .setConvId(convId)
                .setSenderUserId(senderUserId)
                .setSenderDeviceId("dev-" + senderUserId)
                .setClientMsgId(clientMsgId)
                .setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8(text))
                .build();
    }

    /** A committed conversation entry as fan-out passes it to appendInbox. */
    static MessageOp entry(String convId, long convSeq) {
        return message(1, convId, "c" + convSeq, "body " + convSeq).toBuilder().setConvSeq(convSeq).setServerTimeMs(1).build();
    }

    static StoreRequest appendConvRequest(MessageOp message) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(message)).build();
    }

    static StoreRequest createGroupRequest(String convId, List<Long> members) {
        return StoreRequest.newBuilder().setCreateGroup(CreateGroupStoreRequest.newBuilder().setConvId(convId).addAllMemberUserIds(members)).build();
    }

    static StoreRequest appendInboxRequest(long userId, MessageOp message) {
        return StoreRequest.newBuilder().setAppendInbox(AppendInboxRequest.newBuilder().setUserId(userId).setMessage(message)).build();
    }

    /** Waits for a submitted write; a refused write throws its {@link RpcException}. */
    static StoreResponse await(CompletableFuture<StoreResponse> reply) {
        try {
            return reply.get(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw RpcException.of(e);
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("write not answered within " + REPLY_TIMEOUT_MS + " ms", e);
        }
    }

    StoreResponse write(StoreRequest request) {
        return await(pipeline.submit(request));
    }

    AppendConvResponse appendConv(MessageOp message) {
        return write(appendConvRequest(message)).getAppendConv();
    }

    AppendInboxResponse appendInbox(long userId, MessageOp message) {
        return write(appendInboxRequest(userId, message)).getAppendInbox();
    }

    ReadInboxResponse readInbox(long userId, long afterSeq, int limit) {
        return reader.readInbox(ReadInboxRequest.newBuilder().setUserId(userId).setAfterSeq(afterSeq).setLimit(limit).build());
    }

    ReadConvResponse readConv(String convId, long fromConvSeq) {
        return reader.readConv(ReadConvRequest.newBuilder().setConvId(convId).setFromConvSeq(fromConvSeq).setLimit(READ_OPS_MAX).build());
    }

    @Override
    public void close() {
        pipeline.close();
        engine.close();
    }
}

package io.synkit.store.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Config;
import io.synkit.store.server.StoreConfig;
import io.synkit.store.server.StoreService;
import io.synkit.store.server.StoreServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a really full filesystem (a 64 MiB tmpfs, mounted by the test; skipped with the
 * reason where mounting is not permitted): once a write fails for lack of space the replica
 * stops writing, says so on its health endpoint state, never acknowledges another write, and
 * everything it acknowledged before is there when the data is read on a disk with room.
 */
class FullDiskTest {

    @TempDir
    Path dir;

    @Test
    void aFullDiskStopsAcksAndLosesNothingAcknowledged() throws Exception {
        Path disk = SmallDisk.mount(dir, 64);
        Map<String, Long> acked = new LinkedHashMap<>();
        try {
            try (StoreServer store = new StoreServer(StoreConfig.from(Config.of(Map.of(
                    "store.data.dir", disk.resolve("replica").toString(), "store.port", "0")))).start()) {
                StoreService service = store.service();
                ByteString body = ByteString.copyFrom(new byte[32 * 1024]);
                String refusal = null;
                for (int i = 0; i < 20_000 && refusal == null; i++) {
                    String id = "m" + i;
                    try {
                        StoreResponse response = ((CompletableFuture<StoreResponse>) service.handle(append(id, body).toByteString(), 5000))
                                .get(10, TimeUnit.SECONDS);
                        acked.put(id, response.getAppendConv().getMessage().getConvSeq());
                    } catch (ExecutionException | RpcException e) {
                        RpcException error = RpcException.of(e);
                        assertEquals(ErrorCode.UNAVAILABLE, error.code(), error.getMessage());
                        refusal = error.getMessage();
                    }
                }
                assertTrue(refusal != null, "the 64 MiB disk filled up");
                System.out.println("acknowledged before the disk filled: " + acked.size() + "; refusal: " + refusal);
                assertTrue(store.notReadyReason() != null, "health says why the replica stopped");
                for (int i = 0; i < 10; i++) {
                    Throwable late = null;
                    try {
                        ((CompletableFuture<?>) service.handle(append("after" + i, ByteString.EMPTY).toByteString(), 5000)).get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException | RpcException e) {
                        late = e;
                    }
                    assertTrue(late != null, "no ack after a failed write, not even for a tiny one");
                    assertEquals(ErrorCode.UNAVAILABLE, RpcException.of(late).code(), late.getMessage());
                }
            }
            copy(disk.resolve("replica"), dir.resolve("roomy"));
        } finally {
            SmallDisk.unmount(disk);
        }
        try (StoreServer reopened = new StoreServer(StoreConfig.from(Config.of(Map.of(
                "store.data.dir", dir.resolve("roomy").toString(), "store.port", "0")))).start()) {
            long next = 1;
            while (next <= acked.size()) {
                StoreResponse page = ((CompletableFuture<StoreResponse>) reopened.service().handle(StoreRequest.newBuilder()
                        .setReadConv(ReadConvRequest.newBuilder().setConvId("d:1:2").setFromConvSeq(next).setLimit(500)).build().toByteString(), 5000))
                        .get(10, TimeUnit.SECONDS);
                for (MessageOp message : page.getReadConv().getMessagesList()) {
                    Long expected = acked.get(message.getClientMsgId());
                    if (expected != null) {
                        assertEquals(expected, message.getConvSeq(), message.getClientMsgId());
                    }
                    next++;
                }
                if (page.getReadConv().getMessagesCount() == 0) {
                    break;
                }
            }
            assertTrue(next > acked.size(), "every acknowledged write is there: read " + (next - 1) + " of " + acked.size());
        }
    }

    private static StoreRequest append(String clientMsgId, ByteString body) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder()
                .setConvId("d:1:2").setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId(clientMsgId)
                .setContentType(ContentType.CONTENT_TYPE_BINARY).setBody(body))).build();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}

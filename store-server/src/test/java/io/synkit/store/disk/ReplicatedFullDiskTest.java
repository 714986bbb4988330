package io.synkit.store.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.runtime.Config;
import io.synkit.store.server.StoreConfig;
import io.synkit.store.server.StoreServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SET of 3 replicas (in one JVM, real sockets) where one replica's data lives on a really small
 * disk (a 48 MiB tmpfs mounted by the test; skipped with the reason where mounting is not
 * permitted). When that disk fills, the replica stops for good — whether it was the primary or a
 * backup — and its health says why; the SET goes on committing with the other two (after an
 * election if needed), and every write the SET acknowledged is readable at its primary.
 */
class ReplicatedFullDiskTest {

    private static final String CONV = "d:1:2";
    private static final int SMALL_REPLICA = 2;
    private static final int WRITES_AFTER_STOP = 200;

    @TempDir
    Path dir;

    @Test
    void aReplicaWhoseDiskFillsStopsAndTheSetGoesOnWithTheOtherTwo() throws Exception {
        Path disk = SmallDisk.mount(dir, 48);
        List<StoreServer> replicas = new ArrayList<>();
        try {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (ServerSocket probe = new ServerSocket(0)) {
                    addresses.add("127.0.0.1:" + probe.getLocalPort());
                }
            }
            for (int i = 0; i < 3; i++) {
                Path data = i == SMALL_REPLICA ? disk.resolve("replica") : dir.resolve("replica" + i);
                replicas.add(new StoreServer(StoreConfig.from(Config.of(Map.of(
                        "store.set.id", "s1",
                        "store.data.dir", data.toString(),
                        "store.port", addresses.get(i).split(":")[1],
                        "store.replicas", String.join(",", addresses),
                        "store.replica.index", Integer.toString(i))))).start());
            }
            ByteString body = ByteString.copyFrom(new byte[32 * 1024]);
            Map<String, Long> acked = new LinkedHashMap<>();
            int afterStop = 0;
            for (int i = 0; afterStop < WRITES_AFTER_STOP; i++) {
                String id = "m" + i;
                acked.put(id, writeSomewhere(replicas, id, body));
                if (replicas.get(SMALL_REPLICA).notReadyReason() != null) {
                    afterStop++;
                }
                assertTrue(i < 20_000, "the 48 MiB disk never filled");
            }
            String reason = replicas.get(SMALL_REPLICA).notReadyReason();
            System.out.println("acknowledged: " + acked.size() + "; the small replica stopped: " + reason);
            assertTrue(reason.contains("No space left on device"), "health names the cause: " + reason);
            assertEquals("STOPPED", replicas.get(SMALL_REPLICA).replicaStatus().getRole());

            StoreServer primary = replicas.stream().filter(r -> r.replicaStatus().getRole().equals("PRIMARY")).findFirst().orElseThrow();
            long next = 1;
            while (true) {
                StoreResponse page = call(primary, StoreRequest.newBuilder()
                        .setReadConv(ReadConvRequest.newBuilder().setConvId(CONV).setFromConvSeq(next).setLimit(500)).build());
                for (MessageOp message : page.getReadConv().getMessagesList()) {
                    Long expected = acked.remove(message.getClientMsgId());
                    if (expected != null) {
                        assertEquals(expected, message.getConvSeq(), message.getClientMsgId());
                    }
                    next++;
                }
                if (page.getReadConv().getMessagesCount() == 0) {
                    break;
                }
            }
            assertTrue(acked.isEmpty(), "acknowledged writes missing at the primary: " + acked.keySet());
        } finally {
            replicas.forEach(StoreServer::close);
            SmallDisk.unmount(disk);
        }
    }

    /** Tries every replica (the primary takes it; an election may be running) until one acknowledges; returns its conv_seq. */
    private static long writeSomewhere(List<StoreServer> replicas, String id, ByteString body) throws InterruptedException {
        StoreRequest request = StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder()
                .setConvId(CONV).setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId(id)
                .setContentType(ContentType.CONTENT_TYPE_BINARY).setBody(body))).build();
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Exception last = null;
        while (System.nanoTime() < deadlineNs) {
            for (StoreServer replica : replicas) {
                try {
                    return call(replica, request).getAppendConv().getMessage().getConvSeq();
                } catch (Exception e) {
                    last = e; // not the primary, stopped, or electing: the same id is safe to retry (idempotent)
                }
            }
            Thread.sleep(50); // an election takes 1-2 s; bounded by the deadline
        }
        throw new AssertionError("no replica acknowledged " + id + " within 20 s", last);
    }

    private static StoreResponse call(StoreServer replica, StoreRequest request) throws Exception {
        return ((CompletableFuture<StoreResponse>) replica.service().handle(request.toByteString(), 5000)).get(10, TimeUnit.SECONDS);
    }
}

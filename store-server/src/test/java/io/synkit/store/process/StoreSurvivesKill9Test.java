package io.synkit.store.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.ReadConvResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClient;
import io.synkit.runtime.NettyThreads;
import io.synkit.store.StoreServerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real store-server process, SIGKILLed while writes stream in, restarted on the same data:
 * every write it acknowledged is still there, with the conv_seq it was acknowledged with, and the
 * log has no holes. (Writes in flight at the kill may or may not be there; either is correct.)
 */
class StoreSurvivesKill9Test {

    private static final String CONV = "d:1:2";
    private static final int KILL_AFTER_ACKS = 300;

    @TempDir
    Path data;

    @Test
    void acknowledgedWritesSurviveKill9AndRestart() throws Exception {
        int port = freePort();
        EventLoopGroup group = NettyThreads.group("test-rpc", 1);
        Map<String, Long> ackedConvSeqById = new ConcurrentHashMap<>();
        Process store = startStore(port);
        try (RpcClient client = new RpcClient(InetSocketAddress.createUnresolved("127.0.0.1", port), group, FrameLimits.internal(), 1024)) {
            Semaphore inflight = new Semaphore(64);
            // The kill comes once enough writes were acknowledged, with up to 64 more in flight:
            // a count, not a time, so a slow or busy machine kills at the same point of the stream.
            long giveUpNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; ackedConvSeqById.size() < KILL_AFTER_ACKS; i++) {
                assertTrue(System.nanoTime() < giveUpNs, "the store acknowledged only " + ackedConvSeqById.size() + " writes in 60 s");
                inflight.acquire();
                String id = "m" + i;
                client.call(append(id), 5_000).whenComplete((payload, failure) -> {
                    if (failure == null) {
                        ackedConvSeqById.put(id, parse(payload).getAppendConv().getMessage().getConvSeq());
                    }
                    inflight.release();
                });
            }
            store.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no flush
        }
        Map<String, Long> acked = new HashMap<>(ackedConvSeqById);
        System.out.println("acknowledged before kill -9: " + acked.size());

        store = startStore(port);
        try (RpcClient client = new RpcClient(InetSocketAddress.createUnresolved("127.0.0.1", port), group, FrameLimits.internal(), 16)) {
            Map<String, Long> stored = new HashMap<>();
            long next = 1;
            long head;
            do {
                ReadConvResponse page = parse(client.call(StoreRequest.newBuilder().setReadConv(ReadConvRequest.newBuilder()
                        .setConvId(CONV).setFromConvSeq(next).setLimit(1000)).build(), 5_000).get(10, TimeUnit.SECONDS)).getReadConv();
                head = page.getHeadConvSeq();
                for (MessageOp message : page.getMessagesList()) {
                    assertEquals(next, message.getConvSeq(), "conversation log is dense");
                    stored.put(message.getClientMsgId(), message.getConvSeq());
                    next++;
                }
            } while (next <= head);
            for (Map.Entry<String, Long> ack : acked.entrySet()) {
                assertEquals(ack.getValue(), stored.get(ack.getKey()), "acknowledged " + ack.getKey() + " kept its conv_seq");
            }
        } finally {
            store.destroy();
            store.waitFor(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private Process startStore(int port) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Its own temporary directory, inside the test's: SIGKILL skips RocksDB's deletion of
        // the native library it unpacked there.
        Path tmp = Files.createDirectories(data.resolve("tmp"));
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                StoreServerMain.class.getName(),
                "--store.data.dir=" + data.resolve("replica"), "--store.port=" + port))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY store")) {
                Thread drain = new Thread(() -> {
                    try {
                        out.lines().forEach(ignored -> { });
                    } catch (UncheckedIOException closedByTheKill) {
                        // the process is gone and its pipe with it: nothing more to drain
                    }
                }, "store-output");
                drain.setDaemon(true);
                drain.start();
                return process;
            }
        }
        throw new IllegalStateException("store process exited before READY, exit code " + process.waitFor());
    }

    private static StoreRequest append(String clientMsgId) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder()
                .setConvId(CONV).setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId(clientMsgId)
                .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFrom(new byte[200])))).build();
    }

    private static StoreResponse parse(ByteString payload) {
        try {
            return StoreResponse.parseFrom(payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

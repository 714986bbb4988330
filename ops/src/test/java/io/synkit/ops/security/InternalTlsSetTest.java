package io.synkit.ops.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.FreePorts;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.protocol.internal.ReplicaStatusRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.InternalTls;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.TestCertificates;
import io.synkit.runtime.Clock;
import io.synkit.runtime.Config;
import io.synkit.runtime.NettyThreads;
import io.synkit.store.server.StoreConfig;
import io.synkit.store.server.StoreServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Internal mutual TLS on real servers: a SET of 3 store replicas configured with certificates
 * of one CA replicates and elects over TLS, answers a caller with a certificate of that CA, and
 * refuses a caller without a certificate (what every internal port does with a peer lacking a
 * valid one; InternalTlsTest in protocol covers a certificate of another CA and reloading).
 */
class InternalTlsSetTest {

    private static final long ELECTION_WAIT_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void aSetReplicatesOverMutualTlsAndRefusesACallerWithoutACertificate() throws Exception {
        TestCertificates ca = new TestCertificates(dir.resolve("pki"), "synkit-internal-ca");
        int base = FreePorts.base(3);
        List<String> replicas = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1), "127.0.0.1:" + (base + 2));
        List<StoreServer> servers = new ArrayList<>();
        EventLoopGroup group = NettyThreads.group("tls-caller", 1);
        TestCertificates.NodeFiles ops = ca.node("ops");
        try (RpcClientPool withCertificate = new RpcClientPool(group, FrameLimits.internal(), 16,
                new InternalTls(ops.cert(), ops.key(), ops.ca(), Clock.SYSTEM, 5000));
             RpcClientPool without = new RpcClientPool(group, FrameLimits.internal(), 16)) {
            for (int r = 0; r < 3; r++) {
                TestCertificates.NodeFiles files = ca.node("store-" + r);
                Map<String, String> keys = new HashMap<>(Map.of("store.set.id", "s1", "store.data.dir", dir.resolve("r" + r).toString(),
                        "store.port", Integer.toString(base + r), "store.replicas", String.join(",", replicas), "store.replica.index", Integer.toString(r)));
                keys.putAll(Map.of("store.tls.cert.file", files.cert().toString(), "store.tls.key.file", files.key().toString(),
                        "store.tls.ca.file", files.ca().toString()));
                servers.add(new StoreServer(StoreConfig.from(Config.of(keys))).start());
            }

            ReplicaStatus primary = awaitPrimary(withCertificate, replicas);

            assertTrue(primary.getLeaseValid(), "elected and holding its lease: replication and votes went over TLS");
            CompletionException refused = assertThrows(CompletionException.class, () -> without.get(replicas.get(0)).call(status(), 5000).join());
            assertEquals(ErrorCode.UNAVAILABLE, RpcException.of(refused).error().getCode(), refused.toString());
        } finally {
            servers.forEach(StoreServer::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static ReplicaStatus awaitPrimary(RpcClientPool clients, List<String> replicas) throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ELECTION_WAIT_MS);
        while (System.nanoTime() - deadlineNs < 0) {
            for (String replica : replicas) {
                ReplicaStatus status = StoreResponse.parseFrom(clients.get(replica).call(status(), 5000).join()).getStatus();
                if (status.getRole().equals("PRIMARY") && status.getLeaseValid()) {
                    return status;
                }
            }
            Thread.sleep(100); // the replicas elect on their own schedule; bounded by the deadline
        }
        throw new AssertionError("no primary within " + ELECTION_WAIT_MS + " ms");
    }

    private static StoreRequest status() {
        return StoreRequest.newBuilder().setStatus(ReplicaStatusRequest.getDefaultInstance()).build();
    }
}

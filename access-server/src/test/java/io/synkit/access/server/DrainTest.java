package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.SyncRequest;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A drain on a real node and real sockets: listener shut at once, GoAways paced in batches with the other nodes' addresses, no request cut off. */
class DrainTest {

    private static final List<String> PEERS = List.of("10.0.0.2:7100", "10.0.0.3:7100", "10.0.0.4:7100");
    private static final long WAIT_MS = 10_000;

    private StubbedAccessNode node;
    private LogicStub logic;
    private AccessServer server;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private void start(String... keyValues) throws Exception {
        Map<String, String> settings = StubbedAccessNode.settings(keyValues);
        settings.put("access.peer.addresses", String.join(",", PEERS));
        node = StubbedAccessNode.start(stub -> stub.syncOpBodyBytes = 8, settings);
        logic = node.logic;
        server = node.server;
    }

    private RawClient loggedIn(long user) throws Exception {
        RawClient client = node.connect((int) WAIT_MS);
        ServerFrame auth = client.login(user, "phone");
        assertTrue(auth.hasAuth(), auth.toString());
        assertEquals(PEERS.size(), auth.getAuth().getAccessAddressesCount(), "the login names the other nodes to fall back to");
        return client;
    }

    private CompletableFuture<Void> drainInBackground() {
        return CompletableFuture.runAsync(server::drain);
    }

    @Test
    void aDrainShutsItsListenerAtOnceAndSendsGoAwaysInPacedBatchesWithJitteredRetryAfterAndTheOtherNodes() throws Exception {
        int batchIntervalMs = 300;
        start("access.drain.goaway.batch.links", "2", "access.drain.goaway.batch.interval.ms", Integer.toString(batchIntervalMs),
                "access.drain.timeout.ms", "2000", "access.drain.retry.after.min.ms", "500");
        for (long user = 1; user <= 6; user++) {
            loggedIn(user);
        }
        long startNs = System.nanoTime();

        CompletableFuture<Void> drained = drainInBackground();

        long lastArrivalNs = 0;
        List<Integer> retryAfters = new ArrayList<>();
        for (RawClient client : node.clients()) {
            ServerFrame frame = client.read();
            lastArrivalNs = Math.max(lastArrivalNs, System.nanoTime());
            assertTrue(frame.hasGoAway(), frame.toString());
            GoAway goAway = frame.getGoAway();
            retryAfters.add(goAway.getRetryAfterMs());
            assertTrue(goAway.getRetryAfterMs() >= 500 && goAway.getRetryAfterMs() < 2500, "min + jitter in [0, drain timeout): " + goAway);
            assertTrue(isRotationOfPeers(goAway.getAccessAddressesList()), "the other nodes, rotated to a start of the link's own: " + goAway);
            if (client == node.clients().get(0)) {
                // The listener closed before the first GoAway left: a client that reconnects here is refused and tries its next address.
                assertThrows(ConnectException.class, () -> new Socket().connect(server.clientAddress(), 1000));
            }
        }
        assertTrue(TimeUnit.NANOSECONDS.toMillis(lastArrivalNs - startNs) >= 2L * batchIntervalMs,
                "6 links in batches of 2 take two pauses: the last GoAway came " + TimeUnit.NANOSECONDS.toMillis(lastArrivalNs - startNs) + " ms in");
        assertTrue(retryAfters.stream().distinct().count() > 1, "retry-afters are jittered: " + retryAfters);
        for (RawClient client : node.clients()) {
            client.close();
        }
        drained.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertEquals(0, server.sessionCount());
    }

    @Test
    void aDrainClosesALinkWithARequestInFlightOnlyAfterTheRequestIsAnswered() throws Exception {
        start("access.drain.timeout.ms", "0");
        RawClient client = loggedIn(1);
        logic.syncGate = new CompletableFuture<>();
        client.write(ClientFrame.newBuilder().setRequestId(2).setSync(SyncRequest.getDefaultInstance()).build());
        logic.syncArrived.get(WAIT_MS, TimeUnit.MILLISECONDS);

        CompletableFuture<Void> drained = drainInBackground();

        assertTrue(client.read().hasGoAway());
        // The client (slow, or still waiting for its answer) does not leave: the drain's wait for links is over at once.
        awaitStatus("closing links once their requests are answered");
        assertFalse(drained.isDone(), "the drain waits for the request in flight");
        logic.syncGate.complete(null);
        ServerFrame answer = client.read();
        assertEquals(2, answer.getRequestId());
        assertTrue(answer.hasSync(), "the request in flight was answered, not cut off: " + answer);
        assertTrue(client.closedByServer(), "then the link is closed");
        drained.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    private void awaitStatus(String phase) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!server.status().contains(phase)) {
            assertTrue(System.nanoTime() < deadlineNs, "the drain never reached '" + phase + "': " + server.status());
            Thread.sleep(5); // the drain runs on its own thread; bounded by the deadline
        }
    }

    private static boolean isRotationOfPeers(List<String> addresses) {
        if (addresses.size() != PEERS.size()) {
            return false;
        }
        int first = PEERS.indexOf(addresses.get(0));
        for (int i = 0; i < addresses.size(); i++) {
            if (first < 0 || !addresses.get(i).equals(PEERS.get((first + i) % PEERS.size()))) {
                return false;
            }
        }
        return true;
    }
}

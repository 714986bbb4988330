package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many clients log in at once to a node whose logins are slow (a SET under load): the node lets
 * a few logins through and refuses the rest at once with a jittered retry-after, instead of
 * queueing them all until the auth deadline fires; clients that honour it all get in.
 */
class ReconnectStormTest {

    private static final int CLIENTS = 60;
    private static final int LOGIN_SLOTS = 4;
    private static final int RETRY_AFTER_MS = 20;
    private static final int ATTEMPTS_MAX = 200;

    private StubbedAccessNode node;
    private LogicStub logic;
    private AccessServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    private final Queue<RawClient> open = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        for (RawClient client : open) {
            client.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aStormOfLoginsIsPacedByTheNodesLoginSlotsAndEveryClientThatHonoursRetryAfterGetsIn() throws Exception {
        node = StubbedAccessNode.start(stub -> stub.loginGate = new CompletableFuture<>(), Map.of("access.auth.inflight.max",
                Integer.toString(LOGIN_SLOTS), "access.links.refused.retry.after.ms", Integer.toString(RETRY_AFTER_MS)));
        logic = node.logic;
        server = node.server;
        AtomicInteger pacedWhileHeld = new AtomicInteger();
        List<CompletableFuture<Integer>> attempts = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            long user = i + 1;
            attempts.add(CompletableFuture.supplyAsync(() -> logInHonouringRetryAfter(user, pacedWhileHeld), threads));
        }

        // While logic holds every login, all clients but the slots' are refused at their first attempt, long before any auth deadline.
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pacedWhileHeld.get() < CLIENTS - LOGIN_SLOTS) {
            assertTrue(System.nanoTime() < deadlineNs, "paced at once: " + pacedWhileHeld.get() + " of " + (CLIENTS - LOGIN_SLOTS));
            Thread.sleep(5); // the clients run on their own threads; bounded by the deadline
        }
        assertEquals(LOGIN_SLOTS, (int) server.metrics().get("synkit_access_logins_in_flight").gauge().value());
        logic.loginGate.complete(null);

        for (CompletableFuture<Integer> attempt : attempts) {
            assertTrue(attempt.get(30, TimeUnit.SECONDS) >= 1);
        }
        assertEquals(CLIENTS, server.sessionCount(), "every client got in");
        assertTrue(server.metrics().counter("synkit_access_logins_paced").count() >= CLIENTS - LOGIN_SLOTS);
    }

    /** Logs in until authenticated, waiting each refusal's retry-after; returns the attempts it took. */
    private int logInHonouringRetryAfter(long user, AtomicInteger pacedWhileHeld) {
        try {
            for (int attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
                RawClient client = new RawClient(server.clientAddress(), 30_000);
                ServerFrame answer = client.login(user, "phone");
                if (answer.hasAuth()) {
                    open.add(client); // the link stays open: the node counts it
                    return attempt;
                }
                client.close();
                assertEquals(ErrorCode.UNAVAILABLE, answer.getError().getCode(), answer.toString());
                assertTrue(answer.getError().getFatal());
                int retryAfterMs = answer.getError().getRetryAfterMs();
                assertTrue(retryAfterMs >= RETRY_AFTER_MS && retryAfterMs <= 2 * RETRY_AFTER_MS, "jittered in [r, 2r]: " + retryAfterMs);
                if (attempt == 1 && !logic.loginGate.isDone()) {
                    pacedWhileHeld.incrementAndGet();
                }
                Thread.sleep(retryAfterMs); // the client honours retry_after_ms, as a client must
            }
            throw new AssertionError("user " + user + " not in after " + ATTEMPTS_MAX + " attempts");
        } catch (Exception e) {
            throw new AssertionError("user " + user, e);
        }
    }
}

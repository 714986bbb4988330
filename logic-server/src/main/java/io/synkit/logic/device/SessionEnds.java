package io.synkit.logic.device;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.rpc.RpcClientPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the access nodes holding ended sessions to close them: one push per access node, sent
 * once the revocation is committed in the user's SET. A link must close within a second of a
 * logout, so a failed push is tried again at once a few times within that second; a node that
 * answers none is unreachable from here, and its links' next login is refused by the SET anyway.
 *
 * <p>At most one push per access node is on its way: ends for a node whose push is out wait and go
 * together in the next one (at most {@link #ENDS_PER_PUSH_MAX}). In a reconnect storm after a node
 * was killed, every login ends the device's route on the dead node; one push each cost three
 * refused connects and a warning per login (57,000 connects for 19,000 logins), all on the two cores
 * the logins need. Coalesced, the dead node costs a push per round of attempts, whatever the
 * number of logins; a live node's pushes are as before while logouts are few.
 */
public final class SessionEnds {

    private static final Logger log = LoggerFactory.getLogger(SessionEnds.class);

    /** Attempts per push: together they fit in the one-second bound. */
    static final int ATTEMPTS_MAX = 3;
    static final long ATTEMPT_TIMEOUT_MS = 250;
    static final long RETRY_DELAY_MS = 50;
    /** Ends carried by one push at most; more wait for the next (keeps a push far below the internal frame limit). */
    static final int ENDS_PER_PUSH_MAX = 1000;
    /**
     * Ends waiting for one access node at most. A node that answers takes 1,000 a push in
     * milliseconds; one that does not takes 1,000 a round of attempts (under a second), so only
     * logins far faster than that against a dead node fill this. Beyond it an end is dropped and
     * counted: memory stays bounded, and a dropped end's token is refused at its next
     * Auth anyway (the revocation is committed before the end is pushed).
     */
    static final int WAITING_ENDS_MAX = 100_000;

    private final RpcClientPool accessNodes;
    private final ScheduledExecutorService timer;
    private final long attemptTimeoutMs;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    /** Per access node with a push on its way: the ends waiting for the next one (guarded by itself). */
    private final Map<String, List<SessionEnd>> waiting = new HashMap<>();

    public SessionEnds(RpcClientPool accessNodes, ScheduledExecutorService timer, MeterRegistry metrics) {
        this(accessNodes, timer, metrics, ATTEMPT_TIMEOUT_MS);
    }

    /** With another attempt timeout: a test holding a push unanswered must not see it tried again. */
    SessionEnds(RpcClientPool accessNodes, ScheduledExecutorService timer, MeterRegistry metrics, long attemptTimeoutMs) {
        this.accessNodes = accessNodes;
        this.timer = timer;
        this.attemptTimeoutMs = attemptTimeoutMs;
        this.sent = metrics.counter("synkit_logic_session_end_pushed");
        this.failed = metrics.counter("synkit_logic_session_end_failed");
        this.dropped = metrics.counter("synkit_logic_session_end_dropped");
    }

    public void end(List<SessionEnd> ends) {
        Map<String, List<SessionEnd>> byNode = new LinkedHashMap<>();
        for (SessionEnd end : ends) {
            byNode.computeIfAbsent(end.getAccessNode(), node -> new ArrayList<>()).add(end);
        }
        byNode.forEach(this::enqueue);
    }

    /**
     * Queues {@code ends} for {@code node} (up to {@link #WAITING_ENDS_MAX}) and, if no push to it
     * is out, sends the first of them now: every push, the first too, carries at most
     * {@link #ENDS_PER_PUSH_MAX}.
     */
    private void enqueue(String node, List<SessionEnd> ends) {
        boolean pushOut;
        synchronized (waiting) {
            List<SessionEnd> queued = waiting.get(node);
            pushOut = queued != null;
            if (!pushOut) {
                queued = new ArrayList<>();
                waiting.put(node, queued);
            }
            int room = Math.max(0, WAITING_ENDS_MAX - queued.size());
            queued.addAll(ends.subList(0, Math.min(room, ends.size())));
            if (ends.size() > room) {
                dropped.increment(ends.size() - room);
                log.debug("session ends dropped access_node={} sessions={}: {} wait already", node, ends.size() - room, queued.size());
            }
        }
        if (!pushOut) {
            next(node);
        }
    }

    /** No push to {@code node} is out now: the ends that wait go next (at most {@link #ENDS_PER_PUSH_MAX}), or the node has no push out. */
    private void next(String node) {
        List<SessionEnd> batch;
        synchronized (waiting) {
            List<SessionEnd> queued = waiting.get(node);
            if (queued.isEmpty()) {
                waiting.remove(node);
                return;
            }
            batch = new ArrayList<>(queued.subList(0, Math.min(ENDS_PER_PUSH_MAX, queued.size())));
            queued.subList(0, batch.size()).clear();
        }
        send(node, AccessPush.newBuilder().addAllEnds(batch).build(), 1);
    }

    private void send(String node, AccessPush push, int attempt) {
        try {
            accessNodes.get(node).call(push, attemptTimeoutMs).whenComplete((ok, failure) -> {
                if (failure == null) {
                    sent.increment();
                    next(node);
                } else if (attempt < ATTEMPTS_MAX) {
                    timer.schedule(() -> send(node, push, attempt + 1), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
                } else {
                    failed.increment();
                    log.warn("session end not delivered access_node={} sessions={} attempts={} reason=\"{}\"", node, push.getEndsCount(),
                            attempt, failure.toString());
                    next(node);
                }
            });
        } catch (RuntimeException e) {
            // A route naming a malformed address, or the node shutting down: nothing to reach. The
            // ends waiting for this node must not wait for an answer that will never come.
            failed.increment();
            next(node);
        }
    }
}

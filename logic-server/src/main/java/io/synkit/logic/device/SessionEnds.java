package io.synkit.logic.device;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.rpc.RpcClientPool;
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
 */
public final class SessionEnds {

    private static final Logger log = LoggerFactory.getLogger(SessionEnds.class);

    /** Attempts per push: together they fit in the one-second bound. */
    static final int ATTEMPTS_MAX = 3;
    static final long ATTEMPT_TIMEOUT_MS = 250;
    static final long RETRY_DELAY_MS = 50;

    private final RpcClientPool accessNodes;
    private final ScheduledExecutorService timer;
    private final Counter sent;
    private final Counter failed;

    public SessionEnds(RpcClientPool accessNodes, ScheduledExecutorService timer, MeterRegistry metrics) {
        this.accessNodes = accessNodes;
        this.timer = timer;
        this.sent = metrics.counter("synkit_logic_session_end_pushed");
        this.failed = metrics.counter("synkit_logic_session_end_failed");
    }

    public void end(List<SessionEnd> ends) {
        Map<String, AccessPush.Builder> byNode = new LinkedHashMap<>();
        for (SessionEnd end : ends) {
            byNode.computeIfAbsent(end.getAccessNode(), node -> AccessPush.newBuilder()).addEnds(end);
        }
        byNode.forEach((node, push) -> send(node, push.build(), 1));
    }

    private void send(String node, AccessPush push, int attempt) {
        try {
            accessNodes.get(node).call(push, ATTEMPT_TIMEOUT_MS).whenComplete((ok, failure) -> {
                if (failure == null) {
                    sent.increment();
                } else if (attempt < ATTEMPTS_MAX) {
                    timer.schedule(() -> send(node, push, attempt + 1), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
                } else {
                    failed.increment();
                    log.warn("session end not delivered access_node={} sessions={} attempts={} reason=\"{}\"", node, push.getEndsCount(),
                            attempt, failure.toString());
                }
            });
        } catch (IllegalArgumentException e) {
            failed.increment(); // a route naming a malformed address: nothing to reach
        }
    }
}

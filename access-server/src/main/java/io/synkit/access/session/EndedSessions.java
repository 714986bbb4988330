package io.synkit.access.session;

import io.synkit.protocol.internal.SessionEnd;
import io.synkit.runtime.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Session ends a logic node sent for connections this node does not hold (yet), by connection id.
 * A link's login commits in the user's SET before its access node hears of it; a logout committed
 * in between sends its session end to a node where the link is still authenticating. The link
 * looks here once it is authenticated, so it does not outlive a revocation that overtook its
 * login. An entry is kept for {@code keptMs} (the auth timeout: no link authenticates later than
 * that), and at most {@code countMax} are kept (more are dropped: they cannot all be for links
 * mid-auth). Thread-safe.
 */
public final class EndedSessions {

    private record Ended(long connId, long atNs) {
    }

    private final Clock clock;
    private final long keptNs;
    private final int countMax;
    private final Map<Long, SessionEnd> byConnId = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Ended> oldestFirst = new ConcurrentLinkedQueue<>();

    public EndedSessions(Clock clock, long keptMs, int countMax) {
        if (keptMs < 1 || countMax < 1) {
            throw new IllegalArgumentException("keptMs=" + keptMs + " and countMax=" + countMax + " must be >= 1");
        }
        this.clock = clock;
        this.keptNs = TimeUnit.MILLISECONDS.toNanos(keptMs);
        this.countMax = countMax;
    }

    /** Remembers {@code end} for its connection; false when {@code countMax} are remembered already. */
    public boolean add(SessionEnd end) {
        long nowNs = clock.nanoTime();
        forgetOlderThan(nowNs - keptNs);
        if (byConnId.size() >= countMax) {
            return false;
        }
        byConnId.put(end.getConnId(), end);
        oldestFirst.add(new Ended(end.getConnId(), nowNs));
        return true;
    }

    /** The end sent for {@code connId}, or null. */
    public SessionEnd of(long connId) {
        return byConnId.get(connId);
    }

    public int count() {
        return byConnId.size();
    }

    private void forgetOlderThan(long oldestNs) {
        for (Ended head = oldestFirst.peek(); head != null && head.atNs() - oldestNs < 0; head = oldestFirst.peek()) {
            if (oldestFirst.remove(head)) {
                byConnId.remove(head.connId());
            }
        }
    }
}

package io.synkit.sim.client;

import io.synkit.protocol.rpc.RpcClientPool;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The access nodes a client knows, in the order it tries them (docs/protocol.md §16). It starts
 * with the addresses the app was configured with; a login replaces the rest of the list with the
 * server's {@code AuthResponse.access_addresses} (the node it is on stays first: it works), and a
 * GoAway that names addresses puts those first and the node that went away last, not to be tried
 * again before the GoAway's {@code retry_after_ms}. A failed connect moves to the next address, so
 * a client falls back through the whole list before it comes round again. Every node's
 * retry-after is kept (a drained node's while another refuses at connect), and a refusal moves to
 * the next address free to try, or the one free soonest. Two attempts of the
 * client are at least {@link #ATTEMPT_GAP_MS_MIN} apart, to one address or to two (the protocol's
 * minimum backoff), so no client makes more than one attempt a second however its links fail: a
 * storm of thousands of clients whose first choice refuses them does not double on the next
 * address at once. Not thread-safe: one client's loop owns it.
 */
public final class AccessAddresses {

    /** The least time between two connection attempts of a client, to any addresses (docs/protocol.md §16). */
    public static final long ATTEMPT_GAP_MS_MIN = 1000;
    /** How long an unreachable node is left alone after its first failure in a row; it doubles with each further one. */
    public static final long UNREACHABLE_AWAY_MS_MIN = 1000;
    /** The most an unreachable node is left alone. */
    public static final long UNREACHABLE_AWAY_MS_MAX = 30_000;

    private final List<InetSocketAddress> order = new ArrayList<>();
    private int index;
    /** By "host:port": until when a node that sent a GoAway or a refusal with a retry-after is not to be tried. */
    private final Map<String, Long> awayUntilNanos = new HashMap<>();
    /** By "host:port": attempts in a row that failed without a word from the node (refused or timed-out connects). */
    private final Map<String, Integer> unreachableInRow = new HashMap<>();
    /** When the client last tried to connect; meaningful once {@link #attempted} is set. */
    private long attemptedAtNanos;
    private boolean attempted;

    /** @param start where in {@code configured} this client begins (a random start spreads clients) */
    public AccessAddresses(List<InetSocketAddress> configured, int start) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("a client needs at least one access address");
        }
        order.addAll(configured);
        index = Math.floorMod(start, configured.size());
    }

    /** The address to connect to now. */
    public InetSocketAddress current() {
        return order.get(index);
    }

    /** A connect to {@link #current()} failed (refused, timed out, or its Auth refused): the next one in order. */
    public void next() {
        index = (index + 1) % order.size();
    }

    /**
     * The attempt at {@link #current()} failed at {@code nowNanos}. A refusal with a retry-after
     * (the node paces logins, or refused the connect for that long): not before it. Without one (a
     * refused or timed-out connect, an error naming no retry-after) the node is unreachable: it is
     * left alone for {@link #UNREACHABLE_AWAY_MS_MIN}, doubling with each such failure in a row up
     * to {@link #UNREACHABLE_AWAY_MS_MAX}, so a node that is down costs a client a few attempts in
     * a storm, not one between every two of the node that paces it. Then the next address free to
     * try, or the one free soonest.
     */
    public void attemptFailed(int retryAfterMs, long nowNanos) {
        InetSocketAddress failed = current();
        long awayMs = retryAfterMs;
        if (retryAfterMs <= 0) {
            int inRow = unreachableInRow.merge(key(failed), 1, Integer::sum);
            awayMs = Math.min(UNREACHABLE_AWAY_MS_MAX, UNREACHABLE_AWAY_MS_MIN << Math.min(inRow - 1, 16));
        }
        goAway(List.of(), (int) awayMs, nowNanos);
    }

    /** Logged in at {@link #current()}: the server's list of the other nodes follows it, in the server's order. */
    public void loggedIn(List<String> others) {
        unreachableInRow.remove(key(current()));
        if (others.isEmpty()) {
            return;
        }
        InetSocketAddress here = current();
        order.clear();
        order.add(here);
        addAll(others);
        index = 0;
    }

    /**
     * {@link #current()} sent a GoAway at {@code nowNanos}: the addresses it names come first, itself
     * last and not before {@code retryAfterMs}. Without addresses, the next known one.
     */
    public void goAway(List<String> others, int retryAfterMs, long nowNanos) {
        InetSocketAddress away = current();
        awayUntilNanos.values().removeIf(untilNanos -> untilNanos <= nowNanos);
        awayUntilNanos.merge(key(away), nowNanos + retryAfterMs * 1_000_000L, Math::max);
        if (others.isEmpty()) {
            nextFree(nowNanos);
            return;
        }
        order.clear();
        addAll(others);
        if (!contains(away)) {
            order.add(away);
        }
        index = 0;
    }

    /**
     * {@link #current()} redirected the login (GoAway {@code REDIRECTED}): as {@link #goAway} with
     * no retry-after, and the first listed address may be tried at once, since a redirect is not a
     * failure and is followed once (docs/protocol.md §16).
     */
    public void redirected(List<String> others, long nowNanos) {
        goAway(others, 0, nowNanos);
        attempted = false;
    }

    /**
     * How long to wait before connecting to {@link #current()}: the rest of a GoAway's retry-after
     * when it is the node that sent it, and the rest of the minimum gap since the client's last attempt.
     */
    public long waitNanos(long nowNanos) {
        long waitNanos = retryAfterLeftNanos(current(), nowNanos);
        if (attempted) {
            waitNanos = Math.max(waitNanos, attemptedAtNanos + TimeUnit.MILLISECONDS.toNanos(ATTEMPT_GAP_MS_MIN) - nowNanos);
        }
        return waitNanos;
    }

    /** A connection attempt to {@link #current()} starts at {@code nowNanos}. */
    public void attempting(long nowNanos) {
        attemptedAtNanos = nowNanos;
        attempted = true;
    }

    public List<InetSocketAddress> order() {
        return List.copyOf(order);
    }

    private void addAll(List<String> hostPorts) {
        for (String hostPort : hostPorts) {
            InetSocketAddress address;
            try {
                address = RpcClientPool.parseAddress(hostPort);
            } catch (IllegalArgumentException e) {
                continue; // a server's bad entry costs that entry, not the client
            }
            if (!contains(address)) {
                order.add(address);
            }
        }
    }

    /** The next address in order whose retry-after has passed, or if none has, the one whose ends soonest. */
    private void nextFree(long nowNanos) {
        int soonest = (index + 1) % order.size();
        for (int step = 1; step <= order.size(); step++) {
            int candidate = (index + step) % order.size();
            long leftNanos = retryAfterLeftNanos(order.get(candidate), nowNanos);
            if (leftNanos == 0) {
                index = candidate;
                return;
            }
            if (leftNanos < retryAfterLeftNanos(order.get(soonest), nowNanos)) {
                soonest = candidate;
            }
        }
        index = soonest;
    }

    private long retryAfterLeftNanos(InetSocketAddress address, long nowNanos) {
        Long untilNanos = awayUntilNanos.get(key(address));
        return untilNanos == null ? 0 : Math.max(0, untilNanos - nowNanos);
    }

    /** An address's identity: "host:port" as the server or the configuration gave it. */
    private static String key(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private boolean contains(InetSocketAddress address) {
        return order.stream().anyMatch(known -> key(known).equals(key(address)));
    }
}

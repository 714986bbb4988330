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
 * a client falls back through the whole list before it comes round again. Two attempts at one
 * address are at least {@link #ATTEMPT_GAP_MS_MIN} apart (the protocol's minimum backoff), so no
 * client tries a node more than once a second however its links fail. Not thread-safe: one
 * client's loop owns it.
 */
public final class AccessAddresses {

    /** The least time between two connection attempts to one address (docs/protocol.md §16). */
    public static final long ATTEMPT_GAP_MS_MIN = 1000;

    private final List<InetSocketAddress> order = new ArrayList<>();
    private int index;
    /** The node that sent the last GoAway with addresses, and until when it is not to be tried. */
    private InetSocketAddress awayNode;
    private long awayUntilNanos;
    /** When each known address was last tried ("host:port"; only addresses of the list). */
    private final Map<String, Long> attemptedAtNanos = new HashMap<>();

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

    /** Logged in at {@link #current()}: the server's list of the other nodes follows it, in the server's order. */
    public void loggedIn(List<String> others) {
        if (others.isEmpty()) {
            return;
        }
        InetSocketAddress here = current();
        order.clear();
        order.add(here);
        addAll(others);
        index = 0;
        forgetUnlisted();
    }

    /**
     * {@link #current()} sent a GoAway at {@code nowNanos}: the addresses it names come first, itself
     * last and not before {@code retryAfterMs}. Without addresses, the next known one.
     */
    public void goAway(List<String> others, int retryAfterMs, long nowNanos) {
        InetSocketAddress away = current();
        awayNode = away;
        awayUntilNanos = nowNanos + retryAfterMs * 1_000_000L;
        if (others.isEmpty()) {
            next();
            return;
        }
        order.clear();
        addAll(others);
        if (!contains(away)) {
            order.add(away);
        }
        index = 0;
        forgetUnlisted();
    }

    /**
     * How long to wait before connecting to {@link #current()}: the rest of a GoAway's retry-after
     * when it is the node that sent it, and the rest of the minimum gap since it was last tried.
     */
    public long waitNanos(long nowNanos) {
        long waitNanos = awayNode != null && same(awayNode, current()) ? Math.max(0, awayUntilNanos - nowNanos) : 0;
        Long attempted = attemptedAtNanos.get(key(current()));
        if (attempted != null) {
            waitNanos = Math.max(waitNanos, attempted + TimeUnit.MILLISECONDS.toNanos(ATTEMPT_GAP_MS_MIN) - nowNanos);
        }
        return waitNanos;
    }

    /** A connection attempt to {@link #current()} starts at {@code nowNanos}. */
    public void attempting(long nowNanos) {
        attemptedAtNanos.put(key(current()), nowNanos);
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

    private void forgetUnlisted() {
        attemptedAtNanos.keySet().removeIf(known -> order.stream().noneMatch(address -> key(address).equals(known)));
    }

    private static String key(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private boolean contains(InetSocketAddress address) {
        return order.stream().anyMatch(known -> same(known, address));
    }

    private static boolean same(InetSocketAddress a, InetSocketAddress b) {
        return a.getPort() == b.getPort() && a.getHostString().equals(b.getHostString());
    }
}

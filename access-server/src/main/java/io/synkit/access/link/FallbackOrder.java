package io.synkit.access.link;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The other access nodes' client addresses in the order one client should try them. Every client
 * gets the same list rotated to a random start: the clients of a node that goes away then spread
 * evenly over the rest instead of all landing on the first one listed, and each still has every
 * node to fall back through.
 */
public final class FallbackOrder {

    private FallbackOrder() {
    }

    /**
     * {@code peers} rotated to start at {@code firstIndex.applyAsInt(peers.size())} (a random index
     * in [0, size) from the caller's own random source).
     */
    public static List<String> of(List<String> peers, IntUnaryOperator firstIndex) {
        if (peers.size() < 2) {
            return peers;
        }
        int first = firstIndex.applyAsInt(peers.size());
        if (first < 0 || first >= peers.size()) {
            throw new IllegalArgumentException("first index " + first + " outside [0, " + peers.size() + ")");
        }
        List<String> order = new ArrayList<>(peers.size());
        for (int i = 0; i < peers.size(); i++) {
            order.add(peers.get((first + i) % peers.size()));
        }
        return order;
    }
}

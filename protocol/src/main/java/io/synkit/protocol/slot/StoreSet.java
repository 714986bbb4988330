package io.synkit.protocol.slot;

import java.util.List;

/**
 * One storage SET: its id and the internal RPC addresses of its replicas. The first address is
 * the replica callers try first; callers follow "not the primary" hints from there.
 */
public record StoreSet(String setId, List<String> replicas) {

    public StoreSet {
        if (!setId.matches("[a-z0-9-]{1,32}")) {
            throw new IllegalArgumentException("SET id '" + setId + "' must be 1-32 of [a-z0-9-]");
        }
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("SET " + setId + " has no replicas");
        }
        for (String replica : replicas) {
            if (!replica.matches("[^:\\s]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("SET " + setId + " has a malformed replica address '" + replica + "' (expected host:port)");
            }
        }
        replicas = List.copyOf(replicas);
    }
}

package io.synkit.ops.cluster;

import java.io.IOException;

/** A node of a local cluster did not start: it exited, did not get ready in time, or another process answers on its port. */
public final class NodeStartException extends IOException {

    private final String node;

    NodeStartException(String node, String message) {
        super(message);
        this.node = node;
    }

    /** The node that did not start. */
    public String node() {
        return node;
    }
}

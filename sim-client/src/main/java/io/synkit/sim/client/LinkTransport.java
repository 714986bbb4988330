package io.synkit.sim.client;

import io.netty.handler.ssl.SslContext;

/**
 * What carries a client's frames to the access node: plain TCP, TLS, and optionally inside a
 * WebSocket (binary messages, docs/protocol.md §2).
 *
 * @param tls the client's TLS context (trusting the node's certificate), or null for no TLS
 * @param webSocketPath the WebSocket upgrade path (e.g. "/synkit"), or null for raw frames
 */
public record LinkTransport(SslContext tls, String webSocketPath) {

    public static final LinkTransport TCP = new LinkTransport(null, null);
}

package io.synkit.access.link;

/**
 * Per-connection policy of the client link.
 *
 * @param heartbeatIntervalMs interval the client is told to heartbeat at
 * @param idleTimeoutMs a link silent this long is closed (a multiple of the heartbeat interval)
 * @param authTimeoutMs a link that has not authenticated within this is closed
 * @param inflightCountMax requests in flight per connection at most; more get RATE_LIMITED
 */
public record LinkSettings(int heartbeatIntervalMs, int idleTimeoutMs, int authTimeoutMs, int inflightCountMax) {

    public LinkSettings {
        if (heartbeatIntervalMs < 100 || idleTimeoutMs < 2 * heartbeatIntervalMs) {
            throw new IllegalArgumentException("heartbeatIntervalMs=" + heartbeatIntervalMs + " must be >= 100 and idleTimeoutMs="
                    + idleTimeoutMs + " at least twice it");
        }
        if (authTimeoutMs < 1 || inflightCountMax < 1) {
            throw new IllegalArgumentException("authTimeoutMs=" + authTimeoutMs + " inflightCountMax=" + inflightCountMax + " must be >= 1");
        }
    }
}

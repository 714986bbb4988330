package io.synkit.sim.device;

import io.synkit.sim.client.ReconnectBackoff;

/**
 * How a simulated device behaves on its link.
 *
 * @param requestTimeoutMs a request without answer this long is failed and retried
 * @param sendInflightMax sends in flight per device at most (the rest wait unsent, in order)
 * @param syncPageOps ops asked per sync page
 * @param retryDelayMs the wait before a refused request on a live link is tried again (a send's: random, up to it)
 * @param reconnectBackoffMaxMs the ceiling of the reconnect backoff after every known address failed in a row
 *     (docs/protocol.md §16: 30 s; at least its 1 s minimum backoff)
 */
public record DeviceSettings(long requestTimeoutMs, int sendInflightMax, int syncPageOps, long retryDelayMs, long reconnectBackoffMaxMs) {

    public DeviceSettings {
        if (requestTimeoutMs < 1 || sendInflightMax < 1 || syncPageOps < 1 || retryDelayMs < 1 || reconnectBackoffMaxMs < ReconnectBackoff.ROUND_BACKOFF_MS_MIN) {
            throw new IllegalArgumentException("device settings must be positive with reconnectBackoffMaxMs >= "
                    + ReconnectBackoff.ROUND_BACKOFF_MS_MIN + ": " + this);
        }
    }

    public static DeviceSettings defaults() {
        return new DeviceSettings(25_000, 8, 200, 50, ReconnectBackoff.ROUND_BACKOFF_MS_CEILING);
    }
}

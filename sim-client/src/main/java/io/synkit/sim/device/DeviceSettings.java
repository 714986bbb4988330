package io.synkit.sim.device;

/**
 * How a simulated device behaves on its link.
 *
 * @param requestTimeoutMs a request without answer this long is failed and retried
 * @param sendInflightMax sends in flight per device at most (the rest wait unsent, in order)
 * @param syncPageOps ops asked per sync page
 * @param reconnectBackoffBaseMs first reconnect delay ceiling; doubles per failure (full jitter)
 * @param reconnectBackoffMaxMs reconnect delay ceiling at most
 */
public record DeviceSettings(long requestTimeoutMs, int sendInflightMax, int syncPageOps, long reconnectBackoffBaseMs, long reconnectBackoffMaxMs) {

    public DeviceSettings {
        if (requestTimeoutMs < 1 || sendInflightMax < 1 || syncPageOps < 1 || reconnectBackoffBaseMs < 1 || reconnectBackoffMaxMs < reconnectBackoffBaseMs) {
            throw new IllegalArgumentException("device settings must be positive with reconnectBackoffMaxMs >= reconnectBackoffBaseMs: " + this);
        }
    }

    public static DeviceSettings defaults() {
        return new DeviceSettings(25_000, 8, 200, 50, 2000);
    }
}

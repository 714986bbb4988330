package io.synkit.access.health;

import io.synkit.runtime.ConfigException;
import java.util.regex.Pattern;

/**
 * How the node watches itself. Ranges are checked where the keys are read ({@code AccessConfig.from});
 * the rules between keys here, with errors naming keys and values.
 *
 * @param loopProbeIntervalMs {@code access.loop.probe.interval.ms}: how often every event loop gets a probe task
 * @param loopStallUnreadyMs {@code access.loop.stall.unready.ms}: a loop that ran no probe for this long makes the node not ready
 * @param loopStallExitMs {@code access.loop.stall.exit.ms}: a loop that ran no probe for this long halts the process
 * @param readyProbeIntervalMs {@code access.ready.probe.interval.ms}: how often the node logs in to itself (admin port only)
 * @param readyProbeTimeoutMs {@code access.ready.probe.timeout.ms}: a login that takes longer fails the probe
 * @param readyProbeUserId {@code access.ready.probe.user.id}: the user the probe logs in as; reserve it (no real account may have it)
 * @param readyProbeDeviceId {@code access.ready.probe.device.id}: the probe's device id
 */
public record HealthSettings(int loopProbeIntervalMs, int loopStallUnreadyMs, int loopStallExitMs, int readyProbeIntervalMs,
                             int readyProbeTimeoutMs, long readyProbeUserId, String readyProbeDeviceId) {

    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public HealthSettings {
        if (loopProbeIntervalMs < 1 || loopStallUnreadyMs < loopProbeIntervalMs) {
            throw new ConfigException("config: access.loop.stall.unready.ms=" + loopStallUnreadyMs + " must be >= access.loop.probe.interval.ms="
                    + loopProbeIntervalMs + " >= 1");
        }
        if (loopStallExitMs <= loopStallUnreadyMs) {
            throw new ConfigException("config: access.loop.stall.exit.ms=" + loopStallExitMs + " must be > access.loop.stall.unready.ms=" + loopStallUnreadyMs);
        }
        if (readyProbeIntervalMs < 1 || readyProbeTimeoutMs < 1) {
            throw new ConfigException("config: access.ready.probe.interval.ms=" + readyProbeIntervalMs + " and access.ready.probe.timeout.ms="
                    + readyProbeTimeoutMs + " must be >= 1");
        }
        if (readyProbeUserId < 1) {
            throw new ConfigException("config: access.ready.probe.user.id=" + readyProbeUserId + " must be >= 1");
        }
        if (!DEVICE_ID.matcher(readyProbeDeviceId).matches()) {
            throw new ConfigException("config: access.ready.probe.device.id=" + readyProbeDeviceId + " must be 1-64 of [A-Za-z0-9_.-]");
        }
    }

    /** Probe ticks a loop may miss before the node is not ready (the stall rounded up to whole ticks). */
    public int stallUnreadyTicks() {
        return ceilDiv(loopStallUnreadyMs, loopProbeIntervalMs);
    }

    /** Probe ticks a loop may miss before the process halts. */
    public int stallExitTicks() {
        return Math.max(stallUnreadyTicks() + 1, ceilDiv(loopStallExitMs, loopProbeIntervalMs));
    }

    private static int ceilDiv(int value, int divisor) {
        return (value + divisor - 1) / divisor;
    }
}

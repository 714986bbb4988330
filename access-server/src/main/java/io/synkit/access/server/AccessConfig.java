package io.synkit.access.server;

import io.synkit.access.link.LinkSettings;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.util.Arrays;
import java.util.List;

/** An access node's settings, validated together at start-up; each error names its key. */
public record AccessConfig(String bindHost, int port, int pushPort, int adminPort, String advertisedHost, List<String> logicNodes,
                           AuthKeys authKeys, LinkSettings link, FrameLimits frameLimits, int ioThreads,
                           int writeBufferLowBytes, int writeBufferHighBytes, int logicTimeoutMs, int drainTimeoutMs) {

    public static AccessConfig from(Config config) {
        String bindHost = config.string("access.bind.host", "127.0.0.1");
        AuthKeys keys;
        try {
            keys = AuthKeys.parse(config.string("access.auth.keys", AuthKeys.DEV_KEYS), config.string("access.auth.signing.kid", ""));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config: access.auth.keys / access.auth.signing.kid: " + e.getMessage());
        }
        int heartbeatMs = config.integer("access.heartbeat.interval.ms", 30_000, 100, 3_600_000);
        int idleMs = config.integer("access.idle.timeout.ms", 3 * heartbeatMs, 200, 10_800_000);
        if (idleMs < 2 * heartbeatMs) {
            throw new ConfigException("config: access.idle.timeout.ms=" + idleMs + " must be >= 2 x access.heartbeat.interval.ms=" + heartbeatMs);
        }
        int low = config.integer("access.write.buffer.low.bytes", 32 * 1024, 1024, 64 << 20);
        int high = config.integer("access.write.buffer.high.bytes", 128 * 1024, 2048, 128 << 20);
        if (low >= high) {
            throw new ConfigException("config: access.write.buffer.low.bytes=" + low + " must be < access.write.buffer.high.bytes=" + high);
        }
        AccessConfig access = new AccessConfig(
                bindHost,
                config.integer("access.port", 7100, 0, 65535),
                config.integer("access.push.port", 7101, 0, 65535),
                config.integer("access.admin.port", -1, -1, 65535),
                config.string("access.advertised.host", bindHost),
                Arrays.stream(config.requiredString("access.logic.nodes").split(",")).map(String::trim).toList(),
                keys,
                new LinkSettings(heartbeatMs, idleMs,
                        config.integer("access.auth.timeout.ms", 10_000, 1, 600_000),
                        config.integer("access.inflight.max", 64, 1, 100_000)),
                new FrameLimits(config.integer("access.frame.bytes.max", FrameLimits.CLIENT_FRAME_BYTES_DEFAULT, 64, 64 << 20)),
                config.integer("access.io.threads", 2, 1, 64),
                low, high,
                config.integer("access.logic.timeout.ms", 20_000, 1, 600_000),
                config.integer("access.drain.timeout.ms", 10_000, 0, 600_000));
        config.checkNoUnknownKeys();
        return access;
    }
}

package io.synkit.access.server;

import io.synkit.access.health.HealthSettings;
import io.synkit.access.limit.RateLimit;
import io.synkit.access.link.LinkSettings;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.rpc.TlsFiles;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.util.List;

/**
 * An access node's settings, read and validated together at start-up; each error names its key
 * and value. Ranges are checked as keys are read; the rules between keys live in the records that
 * hold them ({@link LinkSettings}, {@link HealthSettings}) and here.
 *
 * @param listenBacklogConnections {@code access.listen.backlog.connections}: connections the kernel
 *     queues for the client listener before they are accepted (a reconnect storm arrives at once)
 * @param logicInflightCallsMax {@code access.logic.inflight.calls.max}: calls to one logic node in
 *     flight at most; more fail at once with UNAVAILABLE
 * @param drainRetryAfterMinMs {@code access.drain.retry.after.min.ms}: the least retry_after_ms a
 *     draining node tells its links (a random part up to the drain timeout is added, so reconnects spread)
 * @param accessTokenTtlMs {@code access.token.ttl.ms}: lifetime of the access tokens the node mints
 *     from refresh tokens (never past the refresh token's own expiry)
 * @param addressLimit {@code access.limit.address.*}: connections per client address; forged tokens and bad frames are strikes
 * @param userLimit {@code access.limit.user.*}: requests per user on this node
 * @param limitKeysMax {@code access.limit.keys.max}: addresses, and users, tracked by the limits at most
 * @param tlsCertFile {@code access.tls.cert.file}: PEM certificate chain of the client listeners; empty: plain TCP
 * @param tlsKeyFile {@code access.tls.key.file}: PEM PKCS#8 private key of that certificate
 * @param tlsReloadIntervalMs {@code access.tls.reload.interval.ms}: how often the two files are checked for a change
 * @param webSocketPort {@code access.ws.port}: the WebSocket client listener (-1: none; with TLS files, wss)
 * @param webSocketPath {@code access.ws.path}: the path of the WebSocket upgrade
 * @param internalTls {@code access.internal.tls.*}: internal mutual TLS of the push port and of the connections to
 *     logic nodes (not the client listeners, whose TLS is {@code access.tls.*})
 * @param peerAddresses {@code access.peer.addresses}: client addresses ("host:port") of the other access
 *     nodes, told to clients at login and in a drain's GoAway, so they know where else to go
 * @param drainGoAwayBatchLinks {@code access.drain.goaway.batch.links}: GoAways a drain sends at once (250 every 100 ms:
 *                              what one surviving node on 2 cores logs in without refusing, docs/benchmarks.md)
 * @param drainGoAwayBatchIntervalMs {@code access.drain.goaway.batch.interval.ms}: pause between two batches
 * @param authInflightMax {@code access.auth.inflight.max}: logins of the node on their way to the user's SET at
 *     once; more Auths are refused with UNAVAILABLE and a jittered retry-after (a reconnect storm is paced)
 * @param redirectAboveLinks {@code access.redirect.above.links}: authenticated links from which a new login is
 *     redirected to the peers (GoAway REDIRECTED; a login redirected here is served); 0: never
 */
public record AccessConfig(String bindHost, int port, int pushPort, int adminPort, String advertisedHost, List<String> logicNodes,
                           AuthKeys authKeys, LinkSettings link, int ioThreads, int listenBacklogConnections, int logicTimeoutMs,
                           int logicInflightCallsMax, int drainTimeoutMs, int drainRetryAfterMinMs, HealthSettings health,
                           long accessTokenTtlMs, RateLimit addressLimit, RateLimit userLimit, int limitKeysMax,
                           String tlsCertFile, String tlsKeyFile, int tlsReloadIntervalMs, int webSocketPort, String webSocketPath,
                           TlsFiles internalTls,
                           List<String> peerAddresses, int drainGoAwayBatchLinks, int drainGoAwayBatchIntervalMs, int authInflightMax,
                           int redirectAboveLinks) {

    public AccessConfig {
        if (logicNodes.isEmpty()) {
            throw new ConfigException("config: access.logic.nodes lists no logic node");
        }
        logicNodes = List.copyOf(logicNodes);
        peerAddresses = List.copyOf(peerAddresses);
        for (String peer : peerAddresses) {
            int colon = peer.lastIndexOf(':');
            if (colon <= 0 || !peer.substring(colon + 1).matches("[0-9]{1,5}") || Integer.parseInt(peer.substring(colon + 1)) > 65535) {
                throw new ConfigException("config: access.peer.addresses=" + String.join(",", peerAddresses) + ": " + peer + " is not host:port");
            }
        }
        if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty()) {
            throw new ConfigException("config: access.tls.cert.file and access.tls.key.file go together; got "
                    + (tlsCertFile.isEmpty() ? "only the key file" : "only the certificate file"));
        }
        if (!webSocketPath.startsWith("/")) {
            throw new ConfigException("config: access.ws.path=" + webSocketPath + " must start with /");
        }
    }

    public boolean tls() {
        return !tlsCertFile.isEmpty();
    }

    public static AccessConfig from(Config config) {
        String bindHost = config.string("access.bind.host", "127.0.0.1");
        AuthKeys keys;
        try {
            keys = AuthKeys.parse(config.string("access.auth.keys", AuthKeys.DEV_KEYS), config.string("access.auth.signing.kid", ""));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config: access.auth.keys / access.auth.signing.kid: " + e.getMessage());
        }
        int heartbeatMs = config.integer("access.heartbeat.interval.ms", 30_000, 100, 3_600_000);
        AccessConfig access = new AccessConfig(
                bindHost,
                config.integer("access.port", 7100, 0, 65535),
                config.integer("access.push.port", 7101, 0, 65535),
                config.integer("access.admin.port", -1, -1, 65535),
                config.string("access.advertised.host", bindHost),
                List.of(config.requiredString("access.logic.nodes").split(",")).stream().map(String::trim).toList(),
                keys,
                link(config, heartbeatMs),
                config.integer("access.io.threads", 2, 1, 64),
                config.integer("access.listen.backlog.connections", 4096, 1, 65535),
                config.integer("access.logic.timeout.ms", 20_000, 1, 600_000),
                config.integer("access.logic.inflight.calls.max", 100_000, 1, 10_000_000),
                config.integer("access.drain.timeout.ms", 10_000, 0, 600_000),
                config.integer("access.drain.retry.after.min.ms", 500, 0, 600_000),
                health(config),
                config.longValue("access.token.ttl.ms", 3_600_000, 60_000, 86_400_000),
                limit(config, "access.limit.address.", 200, 2000, 20, 10_000, 3_600_000),
                limit(config, "access.limit.user.", 1000, 2000, 100, 1000, 60_000),
                config.integer("access.limit.keys.max", 200_000, 1, 10_000_000),
                config.string("access.tls.cert.file", ""),
                config.string("access.tls.key.file", ""),
                config.integer("access.tls.reload.interval.ms", 10_000, 100, 3_600_000),
                config.integer("access.ws.port", -1, -1, 65535),
                config.string("access.ws.path", "/synkit"),
                TlsFiles.read(config, "access.internal"),
                config.list("access.peer.addresses"),
                config.integer("access.drain.goaway.batch.links", 250, 1, 1_000_000),
                config.integer("access.drain.goaway.batch.interval.ms", 100, 0, 60_000),
                config.integer("access.auth.inflight.max", 1024, 1, 1_000_000),
                config.integer("access.redirect.above.links", 0, 0, 10_000_000));
        config.checkNoUnknownKeys();
        return access;
    }

    private static LinkSettings link(Config config, int heartbeatMs) {
        return new LinkSettings(
                heartbeatMs,
                config.integer("access.idle.timeout.ms", 3 * heartbeatMs, 200, 10_800_000),
                config.integer("access.auth.timeout.ms", 10_000, 1, 600_000),
                config.integer("access.inflight.max", 64, 1, LinkSettings.INFLIGHT_COUNT_MAX),
                config.integer("access.frame.bytes.max", FrameLimits.CLIENT_FRAME_BYTES_DEFAULT, 64, 64 << 20),
                config.integer("access.auth.frame.bytes.max", LinkSettings.AUTH_FRAME_BYTES_DEFAULT, LinkSettings.AUTH_FRAME_BYTES_MIN, 1 << 20),
                config.integer("access.write.buffer.low.bytes", 32 * 1024, 1024, 64 << 20),
                config.integer("access.write.buffer.high.bytes", 128 * 1024, 2048, 128 << 20),
                config.integer("access.link.outbound.bytes.max", 2 << 20, 4096, 1 << 30),
                config.integer("access.link.unwritable.timeout.ms", 30_000, 1, 3_600_000),
                config.integer("access.link.sweep.interval.ms", 1000, 1, 60_000),
                config.integer("access.links.unauthenticated.max", 4096, 1, 1_000_000),
                config.integer("access.links.refused.retry.after.ms", 1000, 0, 600_000),
                config.integer("access.link.read.buffer.bytes", 4096, 512, 1 << 20),
                config.integer("access.heartbeat.interval.max.ms", Math.max(heartbeatMs, 300_000), 100, 3_600_000));
    }

    private static RateLimit limit(Config config, String prefix, int ratePerS, int burst, int strikes, int blockBaseMs, int blockMaxMs) {
        return new RateLimit(prefix,
                config.integer(prefix + "rate.per.s", ratePerS, 0, 1_000_000),
                config.integer(prefix + "burst", burst, 1, 10_000_000),
                config.integer(prefix + "block.strikes", strikes, 1, 1_000_000),
                config.integer(prefix + "block.base.ms", blockBaseMs, 1, 3_600_000),
                config.integer(prefix + "block.max.ms", blockMaxMs, 1, 86_400_000));
    }

    private static HealthSettings health(Config config) {
        return new HealthSettings(
                config.integer("access.loop.probe.interval.ms", 1000, 10, 60_000),
                config.integer("access.loop.stall.unready.ms", 2000, 10, 600_000),
                config.integer("access.loop.stall.exit.ms", 60_000, 20, 3_600_000),
                config.integer("access.ready.probe.interval.ms", 5000, 100, 3_600_000),
                config.integer("access.ready.probe.timeout.ms", 2000, 10, 600_000),
                config.longValue("access.ready.probe.user.id", Long.MAX_VALUE, 1, Long.MAX_VALUE),
                config.string("access.ready.probe.device.id", "ready-probe"));
    }
}

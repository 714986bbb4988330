package io.synkit.access.link;

import io.synkit.protocol.frame.FrameLimits;
import io.synkit.runtime.ConfigException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client link's limits and timings. Each is read from the config key named here (ranges are
 * checked where the key is read, in {@code AccessConfig.from}); the rules that tie keys together
 * are checked here, so no combination that breaks them can be built. Errors name keys and values.
 *
 * @param heartbeatIntervalMs {@code access.heartbeat.interval.ms}: interval the client is told to heartbeat at
 * @param idleTimeoutMs {@code access.idle.timeout.ms}: an authenticated link that sent no complete frame
 *     for this long gets GoAway and is closed
 * @param authTimeoutMs {@code access.auth.timeout.ms}: a link not authenticated this long after it
 *     opened gets a fatal UNAUTHENTICATED and is closed
 * @param inflightCountMax {@code access.inflight.max}: requests forwarded to logic and not yet answered,
 *     per link; more get RATE_LIMITED
 * @param frameBytesMax {@code access.frame.bytes.max}: largest frame body once authenticated, both directions
 * @param authFrameBytesMax {@code access.auth.frame.bytes.max}: largest frame body before auth (an
 *     AuthRequest fits, a message does not), so a link that has not shown a token holds little memory
 * @param writeBufferLowBytes {@code access.write.buffer.low.bytes}: a link that stopped reading
 *     reads again once its queued output drains below this
 * @param writeBufferHighBytes {@code access.write.buffer.high.bytes}: above this much queued output a
 *     link stops reading and gets no pushes
 * @param outboundBytesMax {@code access.link.outbound.bytes.max}: queued output per link at most; a
 *     reply that would take it above is dropped and the link cut
 * @param unwritableTimeoutMs {@code access.link.unwritable.timeout.ms}: a link above the high
 *     watermark that drains nothing of its queued output for this long is cut
 * @param sweepIntervalMs {@code access.link.sweep.interval.ms}: how often each event loop checks its
 *     links' deadlines (auth, idle, token expiry, unwritable); a deadline acts within this after it passes
 * @param unauthenticatedLinksMax {@code access.links.unauthenticated.max}: links of the node that have
 *     not authenticated yet, at most; a link beyond is refused
 * @param refusedRetryAfterMs {@code access.links.refused.retry.after.ms}: retry_after_ms told to a refused link
 * @param heartbeatIntervalMaxMs {@code access.heartbeat.interval.max.ms}: the longest heartbeat interval a
 *     client may adapt to; a link heartbeating at a longer interval than the suggested one gets an idle
 *     timeout longer in proportion
 * @param readBufferBytes {@code access.link.read.buffer.bytes}: bytes read from a link's socket at a
 *     time (a fixed size: Netty's adaptive sizing costs every link 24 bytes more to remember its guess,
 *     and client requests are small; a larger frame takes several reads)
 */
public record LinkSettings(int heartbeatIntervalMs, int idleTimeoutMs, int authTimeoutMs, int inflightCountMax,
                           int frameBytesMax, int authFrameBytesMax, int writeBufferLowBytes, int writeBufferHighBytes,
                           int outboundBytesMax, int unwritableTimeoutMs, int sweepIntervalMs,
                           int unauthenticatedLinksMax, int refusedRetryAfterMs, int readBufferBytes, int heartbeatIntervalMaxMs) {

    /** Default of {@code access.auth.frame.bytes.max}: an AuthRequest with a token of the longest kind and a client version. */
    public static final int AUTH_FRAME_BYTES_DEFAULT = 4096;

    /** Largest {@code access.inflight.max}: a link counts its requests in flight in a short. */
    public static final int INFLIGHT_COUNT_MAX = 10_000;

    /** Smallest {@code access.auth.frame.bytes.max}: a token of the longest kind (512 characters) must fit with room for its framing. */
    public static final int AUTH_FRAME_BYTES_MIN = 1024;

    public LinkSettings {
        positive("access.heartbeat.interval.ms", heartbeatIntervalMs);
        positive("access.auth.timeout.ms", authTimeoutMs);
        positive("access.inflight.max", inflightCountMax);
        if (inflightCountMax > INFLIGHT_COUNT_MAX) {
            throw new ConfigException("config: access.inflight.max=" + inflightCountMax + " must be <= " + INFLIGHT_COUNT_MAX);
        }
        positive("access.link.unwritable.timeout.ms", unwritableTimeoutMs);
        positive("access.link.sweep.interval.ms", sweepIntervalMs);
        positive("access.links.unauthenticated.max", unauthenticatedLinksMax);
        positive("access.link.read.buffer.bytes", readBufferBytes);
        if (refusedRetryAfterMs < 0) {
            throw new ConfigException("config: access.links.refused.retry.after.ms=" + refusedRetryAfterMs + " must be >= 0");
        }
        if (heartbeatIntervalMaxMs < heartbeatIntervalMs) {
            throw new ConfigException("config: access.heartbeat.interval.max.ms=" + heartbeatIntervalMaxMs + " must be >= access.heartbeat.interval.ms="
                    + heartbeatIntervalMs);
        }
        if (idleTimeoutMs < 2L * heartbeatIntervalMs) {
            throw new ConfigException("config: access.idle.timeout.ms=" + idleTimeoutMs + " must be >= 2 x access.heartbeat.interval.ms="
                    + heartbeatIntervalMs);
        }
        if (authFrameBytesMax < AUTH_FRAME_BYTES_MIN || authFrameBytesMax > frameBytesMax) {
            throw new ConfigException("config: access.auth.frame.bytes.max=" + authFrameBytesMax + " must be in [" + AUTH_FRAME_BYTES_MIN
                    + ", access.frame.bytes.max=" + frameBytesMax + "]");
        }
        if (writeBufferLowBytes < 1 || writeBufferLowBytes >= writeBufferHighBytes) {
            throw new ConfigException("config: access.write.buffer.low.bytes=" + writeBufferLowBytes + " must be >= 1 and < access.write.buffer.high.bytes="
                    + writeBufferHighBytes);
        }
        int frameOverheadBytes = FrameLimits.LENGTH_PREFIX_BYTES + ClientLink.QUEUED_FRAME_OVERHEAD_BYTES;
        if ((long) outboundBytesMax < (long) writeBufferHighBytes + frameBytesMax + frameOverheadBytes) {
            throw new ConfigException("config: access.link.outbound.bytes.max=" + outboundBytesMax + " must be >= access.write.buffer.high.bytes="
                    + writeBufferHighBytes + " + access.frame.bytes.max=" + frameBytesMax + " + " + frameOverheadBytes
                    + " (a largest reply must fit on top of a queue at the high watermark)");
        }
        if (sweepIntervalMs > authTimeoutMs) {
            throw new ConfigException("config: access.link.sweep.interval.ms=" + sweepIntervalMs + " must be <= access.auth.timeout.ms=" + authTimeoutMs
                    + " (a deadline acts up to one sweep interval late)");
        }
    }

    /** Smallest heartbeat interval a client may say it uses. */
    public static final int HEARTBEAT_INTERVAL_MIN_MS = 100;

    /** The heartbeat interval a link uses: what its client said (0: the suggested one), within [the minimum, the maximum]. */
    public int heartbeatIntervalOf(int declaredMs) {
        return declaredMs == 0 ? heartbeatIntervalMs : Math.max(HEARTBEAT_INTERVAL_MIN_MS, Math.min(heartbeatIntervalMaxMs, declaredMs));
    }

    /** A link's idle timeout: the configured one, or longer in proportion for a client heartbeating less often. */
    public int idleTimeoutOf(int linkHeartbeatIntervalMs) {
        return (int) Math.max(idleTimeoutMs, (long) idleTimeoutMs * linkHeartbeatIntervalMs / heartbeatIntervalMs);
    }

    /** How long after its last frame a link still counts as present: one and a half of its heartbeat intervals. */
    public static int presenceWindowOf(int linkHeartbeatIntervalMs) {
        return linkHeartbeatIntervalMs + linkHeartbeatIntervalMs / 2;
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new ConfigException("config: " + key + "=" + value + " must be >= 1");
        }
    }

    /**
     * The retry_after_ms told to a link refused at connect or a login paced: {@link #refusedRetryAfterMs}
     * plus a random part of up to as much again, so that the clients refused in one instant do not
     * all come back in another.
     */
    public int refusedRetryAfterJitteredMs() {
        return refusedRetryAfterMs + ThreadLocalRandom.current().nextInt(refusedRetryAfterMs + 1);
    }
}

package io.synkit.access.link;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.client.ErrorCode;
import java.util.EnumMap;
import java.util.Map;

/** The client link's counters, registered once (a lookup per event would cost a map probe and a tag list). */
public final class LinkMetrics {

    /** Why the node closed a link on its own (label {@code reason} of {@code synkit_access_links_closed_total}). */
    public enum CloseReason {
        /** Not authenticated within the auth timeout. */
        AUTH_TIMEOUT("auth_timeout"),
        /** No complete frame within the idle timeout. */
        IDLE("idle"),
        /** Its token expired. */
        TOKEN_EXPIRED("token_expired"),
        /** Above the write high watermark for longer than the unwritable timeout. */
        SLOW_READER("slow_reader"),
        /** A reply would have taken its queued output above the outbound limit. */
        OUTBOUND_FULL("outbound_bytes_max"),
        /** The same device authenticated again on this node. */
        REPLACED("replaced");

        private final String label;

        CloseReason(String label) {
            this.label = label;
        }
    }

    private final MeterRegistry registry;
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Counter refusedUnauthenticatedMax;
    private final Counter readsPaused;
    private final Counter authFailed;
    private final Counter notifyPushed;
    private final Counter notifySkippedUnwritable;

    public LinkMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, registry.counter("synkit_access_links_closed", "reason", reason.label));
        }
        refusedUnauthenticatedMax = registry.counter("synkit_access_links_refused", "reason", "unauthenticated_max");
        readsPaused = registry.counter("synkit_access_link_reads_paused");
        authFailed = registry.counter("synkit_access_auth_failed");
        notifyPushed = registry.counter("synkit_access_notify_pushed");
        notifySkippedUnwritable = registry.counter("synkit_access_notify_skipped_unwritable");
    }

    void closed(CloseReason reason) {
        closed.get(reason).increment();
    }

    void refusedUnauthenticatedMax() {
        refusedUnauthenticatedMax.increment();
    }

    void readsPaused() {
        readsPaused.increment();
    }

    void authFailed() {
        authFailed.increment();
    }

    void notifyPushed() {
        notifyPushed.increment();
    }

    void notifySkippedUnwritable() {
        notifySkippedUnwritable.increment();
    }

    void badFrame(ErrorCode code) {
        registry.counter("synkit_access_bad_frames", "code", code.name()).increment();
    }
}

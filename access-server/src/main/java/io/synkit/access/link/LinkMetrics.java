package io.synkit.access.link;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.synkit.protocol.client.ErrorCode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    private final Counter tlsFailed;
    private final Counter loginsPaced;
    private final Counter loginsRedirected;
    private final Timer logins;
    private final Timer authWaits;
    private final Map<ErrorCode, Counter> sessionsEnded = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, Counter> authRefused = new EnumMap<>(ErrorCode.class);

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
        tlsFailed = registry.counter("synkit_access_tls_failed");
        loginsPaced = registry.counter("synkit_access_logins_paced");
        loginsRedirected = registry.counter("synkit_access_logins_redirected");
        logins = Timer.builder("synkit_access_login").description("Auth read to AuthResponse written, of logins answered with AuthResponse")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(registry);
        authWaits = Timer.builder("synkit_access_auth_wait").description("Link accepted to its Auth read: how long a new link's Auth waited for"
                        + " the node's event loop").publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(registry);
        for (ErrorCode code : List.of(ErrorCode.LOGGED_IN_ELSEWHERE, ErrorCode.LOGGED_OUT, ErrorCode.REPLACED)) {
            sessionsEnded.put(code, registry.counter("synkit_access_sessions_ended", "code", code.name()));
        }
        for (ErrorCode code : AUTH_REFUSALS) {
            authRefused.put(code, registry.counter("synkit_access_auth_refused", "code", code.name()));
        }
    }

    /** The codes a token is refused with at Auth, each counted apart (label {@code code} of {@code synkit_access_auth_refused_total}). */
    public static final List<ErrorCode> AUTH_REFUSALS = List.of(ErrorCode.AUTH_FAILED, ErrorCode.TOKEN_EXPIRED, ErrorCode.TOKEN_KEY_UNKNOWN,
            ErrorCode.TOKEN_REVOKED);

    /** A session ended by the cluster (logout, login policy, a newer link of the device) with this GoAway code. */
    void sessionEnded(ErrorCode code) {
        Counter counter = sessionsEnded.get(code);
        if (counter == null) {
            throw new IllegalArgumentException("no session end counter for " + code);
        }
        counter.increment();
    }

    /** A token refused at Auth with this code (one of {@link #AUTH_REFUSALS}). */
    void authRefused(ErrorCode code) {
        Counter counter = authRefused.get(code);
        if (counter == null) {
            throw new IllegalArgumentException("no auth refusal counter for " + code);
        }
        counter.increment();
        authFailed.increment();
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

    /** A link's TLS handshake or record layer failed (not TLS, an old protocol version, a certificate the client refused). */
    void tlsFailed() {
        tlsFailed.increment();
    }

    /** An Auth refused with a retry-after because the node's login slots were all taken (a reconnect storm). */
    void loginsPaced() {
        loginsPaced.increment();
    }

    /** A login answered with AuthResponse {@code nanos} after its Auth was read (a reconnect storm's server-side auth latency). */
    void loggedIn(long nanos) {
        logins.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A link's Auth was read {@code millis} after the link was accepted. */
    void authWaited(long millis) {
        authWaits.record(millis, TimeUnit.MILLISECONDS);
    }

    /** A login sent on to the other nodes because this one held {@code access.redirect.above.links} links. */
    void loginRedirected() {
        loginsRedirected.increment();
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

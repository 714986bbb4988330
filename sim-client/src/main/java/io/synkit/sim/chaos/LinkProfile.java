package io.synkit.sim.chaos;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How bad a simulated mobile link is: what a {@link ChaosProxy} does to every connection it
 * forwards. Delays and stalls hold bytes back but never drop them (TCP never loses bytes); only
 * a reset, a half-open or a NAT drop ends the flow, and those are what a client must survive.
 *
 * <p>Faults arrive as independent Poisson processes per connection (exponential gaps with the
 * given mean rate), drawn from the connection's seeded random, so a seed replays them.
 *
 * @param name the profile's name, in logs and scenario files
 * @param latencyMs one-way delay added to every byte, in each direction
 * @param jitterMs extra one-way delay drawn uniformly from 0..jitterMs per read; bytes are never
 *     reordered (a later read is never delivered before an earlier one)
 * @param bandwidthBytesPerSecond token-bucket rate per direction; 0 = unlimited
 * @param stallsPerMinute mean rate of stalls: periods where nothing flows in either direction
 *     (radio loss); bytes queue up and are delivered when the stall ends
 * @param stallMsMin shortest stall
 * @param stallMsMax longest stall (stall lengths are uniform in [stallMsMin, stallMsMax])
 * @param resetsPerMinute mean rate of resets: both sides closed abruptly with an RST
 * @param halfOpensPerMinute mean rate of half-opens: forwarding stops in both directions and
 *     neither side is ever closed, so each peer sees a silent link
 * @param natIdleTimeoutMs 0 = none; a link with no bytes forwarded in either direction this long
 *     is dropped like an expired NAT mapping: forwarding stops (the client sees silence) and the
 *     upstream side is closed after another natIdleTimeoutMs
 */
public record LinkProfile(
        String name,
        long latencyMs,
        long jitterMs,
        long bandwidthBytesPerSecond,
        double stallsPerMinute,
        long stallMsMin,
        long stallMsMax,
        double resetsPerMinute,
        double halfOpensPerMinute,
        long natIdleTimeoutMs) {

    /** Upper bound of every duration field: keeps nanosecond arithmetic far from overflow. */
    public static final long DURATION_MS_MAX = 600_000;
    /** Upper bound of every fault rate: one per millisecond. */
    public static final double EVENTS_PER_MINUTE_MAX = 60_000;
    /** Upper bound of the bandwidth cap: keeps the token bucket's arithmetic within a long. */
    public static final long BANDWIDTH_BYTES_PER_SECOND_MAX = 10_000_000_000L;

    private static final Map<String, LinkProfile> BUILT_INS = builtIns();

    public LinkProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("LinkProfile name=" + (name == null ? "null" : "'" + name + "'") + " must not be blank");
        }
        checkDurationMs(name, "latencyMs", latencyMs);
        checkDurationMs(name, "jitterMs", jitterMs);
        if (bandwidthBytesPerSecond < 0 || bandwidthBytesPerSecond > BANDWIDTH_BYTES_PER_SECOND_MAX) {
            throw new IllegalArgumentException("LinkProfile " + name + ": bandwidthBytesPerSecond=" + bandwidthBytesPerSecond
                    + " must be in [0, " + BANDWIDTH_BYTES_PER_SECOND_MAX + "] (0 = unlimited)");
        }
        checkPerMinute(name, "stallsPerMinute", stallsPerMinute);
        checkDurationMs(name, "stallMsMin", stallMsMin);
        checkDurationMs(name, "stallMsMax", stallMsMax);
        if (stallMsMin > stallMsMax) {
            throw new IllegalArgumentException("LinkProfile " + name + ": stallMsMin=" + stallMsMin + " must be <= stallMsMax=" + stallMsMax);
        }
        if (stallsPerMinute > 0 && stallMsMax == 0) {
            throw new IllegalArgumentException("LinkProfile " + name + ": stallsPerMinute=" + stallsPerMinute + " needs stallMsMax > 0, got stallMsMax=" + stallMsMax);
        }
        checkPerMinute(name, "resetsPerMinute", resetsPerMinute);
        checkPerMinute(name, "halfOpensPerMinute", halfOpensPerMinute);
        checkDurationMs(name, "natIdleTimeoutMs", natIdleTimeoutMs);
    }

    /**
     * A built-in profile by name: {@code clean}, {@code 3g}, {@code 2g}, {@code flaky-wifi},
     * {@code subway}.
     *
     * @throws IllegalArgumentException for any other name, listing the known ones
     */
    public static LinkProfile named(String name) {
        LinkProfile profile = name == null ? null : BUILT_INS.get(name);
        if (profile == null) {
            throw new IllegalArgumentException("unknown link profile name=" + (name == null ? "null" : "'" + name + "'") + "; known: " + String.join(", ", names()));
        }
        return profile;
    }

    /** The built-in profiles' names, from best link to worst-behaved. */
    public static List<String> names() {
        return List.copyOf(BUILT_INS.keySet());
    }

    private static Map<String, LinkProfile> builtIns() {
        Map<String, LinkProfile> profiles = new LinkedHashMap<>();
        for (LinkProfile profile : List.of(
                //              name          lat  jit  bytes/s  stalls/min min   max     resets/min halfOpens/min natIdleMs
                new LinkProfile("clean",      0,   0,   0,       0,         0,    0,      0,         0,            0),
                new LinkProfile("3g",         100, 50,  100_000, 0.5,       200,  1_500,  0,         0,            0),
                new LinkProfile("2g",         300, 150, 20_000,  2,         500,  4_000,  0,         0,            0),
                new LinkProfile("flaky-wifi", 20,  20,  0,       6,         100,  2_000,  0.5,       0,            0),
                new LinkProfile("subway",     150, 100, 50_000,  1,         5_000, 20_000, 0,        0.2,          30_000))) {
            profiles.put(profile.name(), profile);
        }
        return Collections.unmodifiableMap(profiles);
    }

    private static void checkDurationMs(String name, String field, long valueMs) {
        if (valueMs < 0 || valueMs > DURATION_MS_MAX) {
            throw new IllegalArgumentException("LinkProfile " + name + ": " + field + "=" + valueMs + " must be in [0, " + DURATION_MS_MAX + "]");
        }
    }

    private static void checkPerMinute(String name, String field, double perMinute) {
        // Written so that NaN fails too: every comparison with NaN is false.
        if (!(perMinute >= 0 && perMinute <= EVENTS_PER_MINUTE_MAX)) {
            throw new IllegalArgumentException("LinkProfile " + name + ": " + field + "=" + perMinute + " must be in [0, " + EVENTS_PER_MINUTE_MAX + "]");
        }
    }
}

package io.synkit.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Percentiles of the logins between two readings of an access node's login histogram. */
class LoginLatencyTest {

    private static String page(long upTo10Ms, long upTo100Ms, long upTo1s, long all) {
        return page(upTo10Ms, upTo100Ms, upTo1s, all, 0);
    }

    private static String page(long upTo10Ms, long upTo100Ms, long upTo1s, long all, long paced) {
        return """
                # HELP synkit_access_login_seconds Auth read to AuthResponse written
                # TYPE synkit_access_login_seconds histogram
                synkit_access_login_seconds{quantile="0.99"} 0.5
                synkit_access_login_seconds_bucket{le="0.01"} %d
                synkit_access_login_seconds_bucket{le="0.1"} %d
                synkit_access_login_seconds_bucket{le="1.0"} %d
                synkit_access_login_seconds_bucket{le="+Inf"} %d
                synkit_access_login_seconds_count %d
                # TYPE synkit_access_logins_paced_total counter
                synkit_access_logins_paced_total %d.0
                """.formatted(upTo10Ms, upTo100Ms, upTo1s, all, all, paced);
    }

    @Test
    void onlyTheLoginsBetweenTheReadingsCountEachPercentileTheBoundOfItsBucket() {
        LoginLatency.Reading before = LoginLatency.Reading.of(page(3000, 3000, 3000, 3000, 7));
        LoginLatency.Reading after = LoginLatency.Reading.of(page(3000, 3050, 3099, 3100, 57));

        LoginLatency.Percentiles between = LoginLatency.between(before, after);

        assertEquals(100, between.logins(), "the warm-up's 3,000 before the first reading are not the storm's");
        assertEquals(100, between.p50Ms(), 1e-9, "the 50th of 100 was answered within 100 ms");
        assertEquals(1000, between.p99Ms(), 1e-9, "the 99th within 1 s");
        assertEquals(50, between.paced(), "Auths refused for want of a slot between the readings");
    }

    @Test
    void withoutLoginsBetweenThereAreNoPercentiles() {
        LoginLatency.Reading reading = LoginLatency.Reading.of(page(1, 2, 3, 4));

        LoginLatency.Percentiles between = LoginLatency.between(reading, reading);

        assertEquals(0, between.logins());
        assertTrue(Double.isNaN(between.p99Ms()));
    }
}

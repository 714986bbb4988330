package io.synkit.ops.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The release gates read logic's metrics as the alerting rules do: counter sums over labels, and histogram_quantile over a soak. */
class MetricsTextTest {

    private static final String BEFORE = """
            # TYPE synkit_logic_requests_total counter
            synkit_logic_requests_total{kind="send",outcome="OK"} 100.0
            synkit_logic_requests_total{kind="send",outcome="UNAVAILABLE"} 1.0
            synkit_logic_request_seconds_bucket{kind="send",le="0.1"} 90.0
            synkit_logic_request_seconds_bucket{kind="send",le="1.0"} 100.0
            synkit_logic_request_seconds_bucket{kind="send",le="+Inf"} 101.0
            synkit_logic_request_seconds_bucket{kind="sync",le="0.1"} 5.0
            """;
    private static final String AFTER = """
            synkit_logic_requests_total{kind="send",outcome="OK"} 298.0
            synkit_logic_requests_total{kind="send",outcome="UNAVAILABLE"} 3.0
            synkit_logic_request_seconds_bucket{kind="send",le="0.1"} 190.0
            synkit_logic_request_seconds_bucket{kind="send",le="1.0"} 298.0
            synkit_logic_request_seconds_bucket{kind="send",le="+Inf"} 301.0
            synkit_logic_request_seconds_bucket{kind="sync",le="0.1"} 5000.0
            """;

    @Test
    void countersSumOverMatchingLabels() {
        MetricsText after = MetricsText.parse(AFTER);

        assertEquals(301.0, after.sum("synkit_logic_requests_total", labels -> true));
        assertEquals(3.0, after.sum("synkit_logic_requests_total", labels -> "UNAVAILABLE".equals(labels.get("outcome"))));
    }

    @Test
    void theQuantileOfASoakIsEstimatedAsPrometheusDoesFromTheBucketsDelta() {
        MetricsText before = MetricsText.parse(BEFORE);
        MetricsText after = MetricsText.parse(AFTER);

        // 200 sends in the soak: 100 under 0.1 s, 98 in (0.1, 1], 2 above. p50 = rank 100 -> 0.1; p99 = rank 198 -> the top of (0.1, 1].
        double p50 = MetricsText.quantile(0.5, before.buckets("synkit_logic_request_seconds", l -> "send".equals(l.get("kind"))),
                after.buckets("synkit_logic_request_seconds", l -> "send".equals(l.get("kind"))));
        double p99 = MetricsText.quantile(0.99, before.buckets("synkit_logic_request_seconds", l -> "send".equals(l.get("kind"))),
                after.buckets("synkit_logic_request_seconds", l -> "send".equals(l.get("kind"))));

        assertEquals(0.1, p50, 1e-9);
        assertEquals(1.0, p99, 1e-9);
        assertTrue(Double.isNaN(MetricsText.quantile(0.99, before.buckets("none", l -> true), after.buckets("none", l -> true))), "nothing recorded");
    }
}

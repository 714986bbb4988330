package io.synkit.ops.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An access node's own login latency (Auth read to AuthResponse written, its
 * {@code synkit_access_login} histogram; or, of {@code synkit_access_auth_wait}, the wait from a
 * link's accept to its Auth read) over a stretch of time: two readings of the node's metrics, and
 * percentiles of the logins between them, each the upper bound of its histogram bucket. Beside
 * the latency the clients measure, it tells the node's share: on one shared box a client's figure
 * also holds the time its own starved event loop took to send the Auth and to read the answer.
 */
final class LoginLatency {

    static final String LOGIN = "synkit_access_login";
    /** Link accepted to its Auth read: the wait before {@link #LOGIN} starts. */
    static final String AUTH_WAIT = "synkit_access_auth_wait";
    private static final Pattern PACED = Pattern.compile("^synkit_access_logins_paced_total\\s+([0-9.eE+]+)\\s*$", Pattern.MULTILINE);

    /** Cumulative login counts by bucket bound (seconds), and Auths paced (refused for want of a slot), as a node's metrics page gave them. */
    record Reading(TreeMap<Double, Long> countAtMostSeconds, long paced) {

        /** The node's {@link #LOGIN} histogram and its paced Auths. */
        static Reading of(String metricsPage) {
            return of(metricsPage, LOGIN);
        }

        /** Timer {@code timer}'s histogram (in seconds) and the node's paced Auths. */
        static Reading of(String metricsPage, String timer) {
            TreeMap<Double, Long> counts = new TreeMap<>();
            Matcher bucket = Pattern.compile("^" + timer + "_seconds_bucket\\{le=\"([^\"]+)\",?}\\s+([0-9.eE+]+)\\s*$", Pattern.MULTILINE)
                    .matcher(metricsPage);
            while (bucket.find()) {
                double bound = bucket.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bucket.group(1));
                counts.put(bound, (long) Double.parseDouble(bucket.group(2)));
            }
            Matcher paced = PACED.matcher(metricsPage);
            return new Reading(counts, paced.find() ? (long) Double.parseDouble(paced.group(1)) : 0);
        }
    }

    /**
     * @param paced Auths the node refused for want of a login slot between the readings
     * @param p50Ms the bucket bound under which half the logins between two readings were answered; NaN without logins
     */
    record Percentiles(long logins, long paced, double p50Ms, double p99Ms) {
    }

    private LoginLatency() {
    }

    static Percentiles between(Reading before, Reading after) {
        TreeMap<Double, Long> added = new TreeMap<>();
        for (Map.Entry<Double, Long> bucket : after.countAtMostSeconds().entrySet()) {
            added.put(bucket.getKey(), bucket.getValue() - before.countAtMostSeconds().getOrDefault(bucket.getKey(), 0L));
        }
        long logins = added.isEmpty() ? 0 : added.lastEntry().getValue();
        return new Percentiles(logins, after.paced() - before.paced(), boundMs(added, logins, 0.50), boundMs(added, logins, 0.99));
    }

    private static double boundMs(TreeMap<Double, Long> cumulative, long logins, double quantile) {
        if (logins == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(quantile * logins);
        for (Map.Entry<Double, Long> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}

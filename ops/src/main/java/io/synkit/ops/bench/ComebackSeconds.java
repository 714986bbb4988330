package io.synkit.ops.bench;

import io.synkit.sim.report.LatencyPercentiles;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A storm's comebacks by the second of the storm they came back in: how many clients, their
 * attempts each and their auth latency. It tells the clients let in by the first wave (one attempt,
 * while the node is busiest) from those refused first and let in later, whose logins are quick.
 */
final class ComebackSeconds {

    private final long startNs;
    private final long latencyUsMax;
    private final SortedMap<Long, Second> seconds = new TreeMap<>();

    /** @param startNs when the storm started (the node went away) */
    ComebackSeconds(long startNs, long latencyUsMax) {
        this.startNs = startNs;
        this.latencyUsMax = latencyUsMax;
    }

    void back(long backNs, int attempts, long authLatencyNs) {
        Second second = seconds.computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(Math.max(0, backNs - startNs)), s -> new Second(latencyUsMax));
        second.attempts += attempts;
        second.authUs.recordValue(Math.min(latencyUsMax, TimeUnit.NANOSECONDS.toMicros(authLatencyNs)));
    }

    void print() {
        seconds.forEach((second, comebacks) -> {
            LatencyPercentiles auth = LatencyPercentiles.of(comebacks.authUs);
            System.out.printf(Locale.ROOT, "back in second %d of the storm: %,d clients, %.1f attempts each, auth latency p50 %.1f ms, p99 %.1f ms%n",
                    second, auth.count(), (double) comebacks.attempts / auth.count(), auth.p50Ms(), auth.p99Ms());
        });
    }

    private static final class Second {
        final Histogram authUs;
        long attempts;

        Second(long latencyUsMax) {
            authUs = new Histogram(latencyUsMax, 3);
        }
    }
}

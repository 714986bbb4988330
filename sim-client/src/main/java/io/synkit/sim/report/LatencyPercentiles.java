package io.synkit.sim.report;

import org.HdrHistogram.Histogram;

/**
 * The percentiles a report shows for one latency histogram, in milliseconds. An empty histogram
 * reads as zeros, as {@code RunReport.resultLine()} prints it.
 *
 * @param count values recorded
 */
public record LatencyPercentiles(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {

    /** @param histogramUs latencies in microseconds */
    public static LatencyPercentiles of(Histogram histogramUs) {
        if (histogramUs.getTotalCount() == 0) {
            return new LatencyPercentiles(0, 0, 0, 0, 0, 0);
        }
        return new LatencyPercentiles(histogramUs.getTotalCount(), ms(histogramUs, 50), ms(histogramUs, 90), ms(histogramUs, 99),
                ms(histogramUs, 99.9), histogramUs.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram histogramUs, double percentile) {
        return histogramUs.getValueAtPercentile(percentile) / 1000.0;
    }
}

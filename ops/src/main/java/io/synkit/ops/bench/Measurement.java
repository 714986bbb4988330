package io.synkit.ops.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One measured phase of {@code ops bench}: a system at a fixed offered rate or at saturation.
 *
 * @param system "synkit SET", "Kafka default flushing", "synkit 1:1", …
 * @param rate offered per second; 0 = saturation (closed loop)
 * @param unit what one counts: op, record, message, delivery
 * @param perSecond acknowledged (or delivered) per second over the phase
 * @param latencyUs commit latency (ops, records) or send→delivered (messages), µs
 * @param costs per process, per unit
 * @param notes what else a reader needs about this phase (failures, group deliveries)
 */
record Measurement(String system, int rate, String unit, double perSecond, long count, long failed, Histogram latencyUs,
                   Map<String, ProcessCosts.Cost> costs, Map<String, Long> notes) {

    static final int SATURATION = 0;

    /** The unit's plural, for "per second" columns. */
    String units() {
        return unit.endsWith("y") ? unit.substring(0, unit.length() - 1) + "ies" : unit + "s";
    }

    String phase() {
        return rate == SATURATION ? "saturation" : rate + "/s";
    }

    double percentileMs(double percentile) {
        return latencyUs.getTotalCount() == 0 ? 0 : latencyUs.getValueAtPercentile(percentile) / 1000.0;
    }

    double cpuUsTotal() {
        return ProcessCosts.totalCpuUs(costs);
    }

    double diskBytesTotal() {
        return ProcessCosts.totalDiskBytes(costs);
    }
}

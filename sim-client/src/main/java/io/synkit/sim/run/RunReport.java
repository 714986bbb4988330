package io.synkit.sim.run;

import io.synkit.sim.check.CheckResult;
import io.synkit.sim.device.OperationCounts;
import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The outcome of a run: the checker's verdict and latency histograms (µs), printable as the RESULT line. */
public record RunReport(int devices, CheckResult check, Histogram ackLatencyUs, Histogram deliveryLatencyUs, Histogram syncLatencyUs,
                        OperationCounts sends, OperationCounts syncs, boolean converged, long elapsedMs) {

    public boolean passed() {
        return check.passed() && converged;
    }

    /**
     * The contract line: {@code RESULT devices= sent= acked= delivered= lost= duplicated= reordered= p50_ms= p99_ms=}.
     * Latency is send (intended time) to delivery on the recipient's devices.
     */
    public String resultLine() {
        return String.format(Locale.ROOT, "RESULT devices=%d sent=%d acked=%d delivered=%d lost=%d duplicated=%d reordered=%d p50_ms=%.1f p99_ms=%.1f",
                devices, check.sent(), check.acked(), check.delivered(), check.lost(), check.duplicated(), check.reordered(),
                percentileMs(deliveryLatencyUs, 50), percentileMs(deliveryLatencyUs, 99));
    }

    public void printDetails(PrintStream out) {
        out.printf(Locale.ROOT, "latency send->ack       p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms max=%.1fms (n=%d)%n",
                percentileMs(ackLatencyUs, 50), percentileMs(ackLatencyUs, 90), percentileMs(ackLatencyUs, 99),
                percentileMs(ackLatencyUs, 99.9), ackLatencyUs.getMaxValue() / 1000.0, ackLatencyUs.getTotalCount());
        out.printf(Locale.ROOT, "latency send->delivered p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms max=%.1fms (n=%d)%n",
                percentileMs(deliveryLatencyUs, 50), percentileMs(deliveryLatencyUs, 90), percentileMs(deliveryLatencyUs, 99),
                percentileMs(deliveryLatencyUs, 99.9), deliveryLatencyUs.getMaxValue() / 1000.0, deliveryLatencyUs.getTotalCount());
        out.printf(Locale.ROOT, "latency sync request    p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms max=%.1fms (n=%d)%n",
                percentileMs(syncLatencyUs, 50), percentileMs(syncLatencyUs, 90), percentileMs(syncLatencyUs, 99),
                percentileMs(syncLatencyUs, 99.9), syncLatencyUs.getMaxValue() / 1000.0, syncLatencyUs.getTotalCount());
        out.printf(Locale.ROOT, "operations send invoked=%d ok=%d failed=%d unknown=%d; sync invoked=%d ok=%d failed=%d unknown=%d%n",
                sends.invoked(), sends.ok(), sends.failed(), sends.unknown(), syncs.invoked(), syncs.ok(), syncs.failed(), syncs.unknown());
        out.printf(Locale.ROOT, "checker failed_sends=%d unacked_delivered=%d foreign=%d unread_mismatch=%d converged=%s elapsed_ms=%d%n",
                check.failed(), check.unackedDelivered(), check.foreign(), check.unreadMismatches(), converged, elapsedMs);
        for (String line : check.evidence()) {
            out.println("violation " + line);
        }
    }

    private static double percentileMs(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0.0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}

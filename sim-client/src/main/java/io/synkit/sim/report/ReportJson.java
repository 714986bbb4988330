package io.synkit.sim.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.synkit.sim.check.CheckResult;
import io.synkit.sim.device.OperationCounts;
import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * report.json: the RESULT fields at the top level under the names the RESULT line uses, then the
 * checker's details, latency percentiles, the timeline with per-second rates, and the faults.
 * Keys are snake_case; times are ms. {@code p50_ms} and {@code p99_ms} are send->delivered, as
 * in the RESULT line, but unrounded.
 */
final class ReportJson {

    /** Configured once; an ObjectMapper is thread-safe after configuration. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    record Document(String scenario, long seed, boolean passed, String resultLine, int devices, long sent, long acked, long delivered,
                    long lost, long duplicated, long reordered, double p50Ms, double p99Ms, long failed, long unackedDelivered,
                    boolean converged, long elapsedMs, List<String> evidence, Latency latency, Operations operations, Timeline timeline,
                    List<RunTimeline.Fault> faults, long faultsDropped) {
    }

    /** sync is one sync request to its response (not from an intended time: syncs are not scheduled). */
    record Latency(Percentiles sendToAck, Percentiles sendToDelivered, Percentiles sync) {
    }

    /** How each kind of operation ended: invoked, ok, failed, unknown (timed out / link lost). */
    record Operations(OperationCounts send, OperationCounts sync) {
    }

    record Percentiles(long count, double p50Ms, double p90Ms, double p99Ms, @JsonProperty("p99_9_ms") double p999Ms, double maxMs) {

        static Percentiles of(LatencyPercentiles latency) {
            return new Percentiles(latency.count(), latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.p999Ms(), latency.maxMs());
        }
    }

    record Timeline(List<Sample> samples, long samplesDropped) {
    }

    /** Cumulative counts at {@code elapsed_ms}, and their rates since the previous sample. */
    record Sample(long elapsedMs, long sent, long acked, long delivered, double sentPerS, double ackedPerS, double deliveredPerS) {
    }

    private ReportJson() {
    }

    static void write(Path file, String scenario, long seed, RunReport report, RunTimeline timeline) throws IOException {
        MAPPER.writeValue(file.toFile(), document(scenario, seed, report, timeline));
    }

    static Document document(String scenario, long seed, RunReport report, RunTimeline timeline) {
        CheckResult check = report.check();
        LatencyPercentiles ack = LatencyPercentiles.of(report.ackLatencyUs());
        LatencyPercentiles delivered = LatencyPercentiles.of(report.deliveryLatencyUs());
        return new Document(scenario, seed, report.passed(), report.resultLine(), report.devices(), check.sent(), check.acked(),
                check.delivered(), check.lost(), check.duplicated(), check.reordered(), delivered.p50Ms(), delivered.p99Ms(), check.failed(),
                check.unackedDelivered(), report.converged(), report.elapsedMs(), List.copyOf(check.evidence()),
                new Latency(Percentiles.of(ack), Percentiles.of(delivered), Percentiles.of(LatencyPercentiles.of(report.syncLatencyUs()))),
                new Operations(report.sends(), report.syncs()), timeline(timeline), timeline.faults(),
                timeline.faultsDroppedCount());
    }

    private static Timeline timeline(RunTimeline timeline) {
        List<RunTimeline.Sample> samples = timeline.samples();
        List<RunTimeline.Rate> rates = RunTimeline.rates(samples);
        Sample[] rows = new Sample[samples.size()];
        for (int i = 0; i < rows.length; i++) {
            RunTimeline.Sample sample = samples.get(i);
            RunTimeline.Rate rate = rates.get(i);
            rows[i] = new Sample(sample.elapsedMs(), sample.sent(), sample.acked(), sample.delivered(), rate.sentPerS(), rate.ackedPerS(),
                    rate.deliveredPerS());
        }
        return new Timeline(List.of(rows), timeline.samplesDroppedCount());
    }
}

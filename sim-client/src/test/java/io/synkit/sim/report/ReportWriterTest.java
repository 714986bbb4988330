package io.synkit.sim.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synkit.sim.check.CheckResult;
import io.synkit.sim.device.OperationCounts;
import io.synkit.sim.run.RunReport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final String SCRIPT_EVIDENCE = "client_msg_id=<script>alert('x')</script> delivered twice to u3-d1";

    @TempDir
    Path dir;

    @Test
    void jsonHoldsTheRunsResultCheckerLatencyTimelineAndFaults() throws IOException {
        RunReport report = report(0, true);
        ReportFiles files = ReportWriter.write(dir, "kill-primary", 42L, report, timeline());

        JsonNode json = new ObjectMapper().readTree(files.json().toFile());
        assertEquals("kill-primary", json.get("scenario").asText());
        assertEquals(42L, json.get("seed").asLong());
        assertTrue(json.get("passed").asBoolean());
        assertEquals(report.resultLine(), json.get("result_line").asText());
        assertEquals(12, json.get("devices").asInt());
        assertEquals(1000, json.get("sent").asLong());
        assertEquals(990, json.get("acked").asLong());
        assertEquals(2980, json.get("delivered").asLong());
        assertEquals(0, json.get("lost").asLong());
        assertEquals(0, json.get("duplicated").asLong());
        assertEquals(0, json.get("reordered").asLong());
        assertEquals(2, json.get("failed").asLong());
        assertEquals(3, json.get("unacked_delivered").asLong());
        assertTrue(json.get("converged").asBoolean());
        assertEquals(12_345, json.get("elapsed_ms").asLong());
        assertEquals(ms(report.deliveryLatencyUs(), 50), json.get("p50_ms").asDouble());
        assertEquals(ms(report.deliveryLatencyUs(), 99), json.get("p99_ms").asDouble());
        assertEquals(List.of("lost m-17 for u2-d0", SCRIPT_EVIDENCE),
                Arrays.asList(new ObjectMapper().treeToValue(json.get("evidence"), String[].class)));

        JsonNode ack = json.get("latency").get("send_to_ack");
        assertEquals(1001, ack.get("count").asLong());
        assertEquals(ms(report.ackLatencyUs(), 50), ack.get("p50_ms").asDouble());
        assertEquals(ms(report.ackLatencyUs(), 90), ack.get("p90_ms").asDouble());
        assertEquals(ms(report.ackLatencyUs(), 99), ack.get("p99_ms").asDouble());
        assertEquals(ms(report.ackLatencyUs(), 99.9), ack.get("p99_9_ms").asDouble());
        assertEquals(report.ackLatencyUs().getMaxValue() / 1000.0, ack.get("max_ms").asDouble());
        assertEquals(250.0, ack.get("max_ms").asDouble(), 0.25, "the 250 ms outlier is the max");
        JsonNode delivered = json.get("latency").get("send_to_delivered");
        assertEquals(ms(report.deliveryLatencyUs(), 99.9), delivered.get("p99_9_ms").asDouble());

        JsonNode samples = json.get("timeline").get("samples");
        assertEquals(4, samples.size());
        assertEquals(2000, samples.get(1).get("elapsed_ms").asLong());
        assertEquals(500, samples.get(1).get("sent").asLong());
        assertEquals(250.0, samples.get(1).get("sent_per_s").asDouble(), 1e-9);
        assertEquals(240.0, samples.get(1).get("acked_per_s").asDouble(), 1e-9);
        assertEquals(720.0, samples.get(1).get("delivered_per_s").asDouble(), 1e-9);
        assertEquals(0.0, samples.get(2).get("acked_per_s").asDouble(), 1e-9, "acks stalled while the primary was down");
        assertEquals(0, json.get("timeline").get("samples_dropped").asLong());
        JsonNode faults = json.get("faults");
        assertEquals(2, faults.size());
        assertEquals(1500, faults.get(0).get("elapsed_ms").asLong());
        assertEquals("SIGKILL s1-r0", faults.get(0).get("label").asText());
        assertEquals("restart s1-r0", faults.get(1).get("label").asText());
    }

    @Test
    void htmlIsOneSelfContainedPageWithResultChartsFaultsAndEscapedEvidence() throws IOException {
        RunReport report = report(0, true);
        ReportFiles files = ReportWriter.write(dir, "kill-primary", 42L, report, timeline());

        String html = Files.readString(files.html(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<pre class=\"result pass\">" + report.resultLine() + "</pre>"), html);
        assertTrue(html.contains("class=\"verdict pass\">PASS<"));
        assertEquals(2, count(html, "<svg "), "a latency and a throughput chart");
        assertTrue(html.contains("send→ack") && html.contains("send→delivered"));
        assertTrue(html.contains("99.99%"), "percentile axis reaches 99.99%");
        assertTrue(count(html, "SIGKILL s1-r0") >= 2, "fault labelled on the chart and in the table");
        assertTrue(html.contains("restart s1-r0"));
        assertTrue(html.contains("stroke-dasharray"), "fault markers are dashed");
        assertTrue(html.contains("client_msg_id=&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; delivered twice"));
        assertFalse(html.contains("<script"), "evidence must not become markup");
        for (String external : List.of("src=", "href=", "@import", "url(", "<link")) {
            assertFalse(html.contains(external), "nothing loaded from elsewhere: " + external);
        }
    }

    @Test
    void pngChartsAre900By450() throws IOException {
        ReportFiles files = ReportWriter.write(dir, "kill-primary", 42L, report(0, true), timeline());

        for (Path png : List.of(files.latencyPng(), files.throughputPng())) {
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), png.toString());
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(900, image.getWidth(), png.toString());
            assertEquals(450, image.getHeight(), png.toString());
        }
        assertEquals(dir.resolve("latency.png"), files.latencyPng());
        assertEquals(dir.resolve("throughput.png"), files.throughputPng());
        assertEquals(dir.resolve("report.json"), files.json());
        assertEquals(dir.resolve("report.html"), files.html());
    }

    @Test
    void runThatLostMessagesShowsFail() throws IOException {
        ReportFiles files = ReportWriter.write(dir, "partition", 7L, report(3, true), timeline());

        String html = Files.readString(files.html(), StandardCharsets.UTF_8);
        assertTrue(html.contains("class=\"verdict fail\">FAIL<"));
        assertFalse(html.contains(">PASS<"));
        assertTrue(html.contains("Failed: 3 lost"));
        assertTrue(html.contains("lost=3"), "the RESULT line");
        JsonNode json = new ObjectMapper().readTree(files.json().toFile());
        assertFalse(json.get("passed").asBoolean());
        assertEquals(3, json.get("lost").asLong());
    }

    @Test
    void runThatDidNotConvergeShowsFail() throws IOException {
        ReportFiles files = ReportWriter.write(dir, "partition", 7L, report(0, false), timeline());

        String html = Files.readString(files.html(), StandardCharsets.UTF_8);
        assertTrue(html.contains("class=\"verdict fail\">FAIL<"));
        assertTrue(html.contains("devices did not converge"));
    }

    @Test
    void runWithNothingRecordedStillWritesEveryFile() throws IOException {
        CheckResult check = new CheckResult(0, 0, 0, 0, 0, 0, 0, 0, List.of());
        RunReport empty = new RunReport(0, check, new Histogram(3), new Histogram(3), new Histogram(3), OperationCounts.NONE, OperationCounts.NONE, true, 0);
        ReportFiles files = ReportWriter.write(dir.resolve("nested/run"), "idle", 1L, empty, new RunTimeline());

        String html = Files.readString(files.html(), StandardCharsets.UTF_8);
        assertTrue(html.contains("no data recorded"));
        assertTrue(html.contains("No violations found."));
        assertEquals(0, new ObjectMapper().readTree(files.json().toFile()).get("latency").get("send_to_ack").get("count").asLong());
        assertEquals(900, ImageIO.read(files.latencyPng().toFile()).getWidth());
        assertEquals(900, ImageIO.read(files.throughputPng().toFile()).getWidth());
    }

    /** 1,000 sends a second for 4 s; a primary killed at 1.5 s stalls acks for a second. */
    private static RunTimeline timeline() {
        RunTimeline timeline = new RunTimeline();
        timeline.sample(1000, 250, 250, 750);
        timeline.sample(2000, 500, 490, 1470);
        timeline.fault(1500, "SIGKILL s1-r0");
        timeline.sample(3000, 750, 490, 1470);
        timeline.fault(3000, "restart s1-r0");
        timeline.sample(4000, 1000, 990, 2980);
        return timeline;
    }

    private static RunReport report(long lost, boolean converged) {
        Histogram ackUs = new Histogram(60_000_000L, 3);
        Histogram deliveryUs = new Histogram(60_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            ackUs.recordValue(1_000 + i * 10L);
            deliveryUs.recordValue(2_000 + i * 25L);
        }
        ackUs.recordValue(250_000);
        deliveryUs.recordValue(400_000);
        CheckResult check = new CheckResult(1000, 990, 2, 2980, lost, 0, 0, 3, List.of("lost m-17 for u2-d0", SCRIPT_EVIDENCE));
        return new RunReport(12, check, ackUs, deliveryUs, new Histogram(3), OperationCounts.NONE, OperationCounts.NONE, converged, 12_345);
    }

    private static double ms(Histogram histogramUs, double percentile) {
        return histogramUs.getValueAtPercentile(percentile) / 1000.0;
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}

package io.synkit.sim.report;

import io.synkit.sim.check.CheckResult;
import io.synkit.sim.device.OperationCounts;
import io.synkit.sim.run.RunReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * report.html: one self-contained page (inline CSS and SVG; no script, font or stylesheet from
 * elsewhere) that a person opens in a browser: verdict and RESULT line first, then the checker's
 * counts, latency, throughput with faults, and the checker's evidence.
 */
final class ReportHtml {

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 960px;
                   padding: 0 16px; color: #222; background: #fafafa; }
            header { display: flex; align-items: center; gap: 16px; }
            h1 { font-size: 22px; margin: 0; }
            h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .verdict { font-size: 22px; font-weight: bold; color: #fff; padding: 6px 16px; border-radius: 6px; }
            .verdict.pass { background: #2e7d32; }
            .verdict.fail { background: #c62828; }
            .meta { color: #555; margin: 6px 0 12px; }
            .result { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 15px; font-weight: bold; padding: 12px 14px;
                      background: #fff; border: 2px solid; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
            .result.pass { border-color: #2e7d32; }
            .result.fail { border-color: #c62828; }
            .reasons { color: #c62828; font-weight: bold; }
            table { border-collapse: collapse; background: #fff; margin: 8px 0; }
            th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            td.bad { color: #c62828; font-weight: bold; }
            figure { margin: 8px 0; background: #fff; border: 1px solid #ddd; }
            figure svg { display: block; width: 100%; height: auto; }
            .note { color: #666; font-size: 13px; }
            ul.evidence { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; background: #fff; border: 1px solid #ddd;
                          padding: 8px 8px 8px 28px; overflow-x: auto; }
            footer { margin-top: 28px; color: #666; font-size: 13px; }
            """;

    private final StringBuilder html = new StringBuilder(64 * 1024);

    private ReportHtml() {
    }

    static String render(String scenario, long seed, RunReport report, RunTimeline timeline) {
        return new ReportHtml().page(scenario, seed, report, timeline);
    }

    /** Text as HTML or XML character data or attribute value. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private String page(String scenario, long seed, RunReport report, RunTimeline timeline) {
        String verdict = report.passed() ? "PASS" : "FAIL";
        String verdictClass = report.passed() ? "pass" : "fail";
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(verdict).append(" · ").append(escape(scenario)).append(" · seed ").append(seed)
                .append(" · synkit run report</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        html.append("<header><div class=\"verdict ").append(verdictClass).append("\">").append(verdict).append("</div>")
                .append("<h1>synkit run: ").append(escape(scenario)).append("</h1></header>\n");
        html.append(String.format(Locale.ROOT, "<p class=\"meta\">seed %d · %d devices · elapsed %.1f s · converged %s</p>%n", seed,
                report.devices(), report.elapsedMs() / 1000.0, report.converged() ? "yes" : "no"));
        html.append("<pre class=\"result ").append(verdictClass).append("\">").append(escape(report.resultLine())).append("</pre>\n");
        List<String> reasons = failureReasons(report);
        if (!reasons.isEmpty()) {
            html.append("<p class=\"reasons\">Failed: ").append(escape(String.join(", ", reasons))).append("</p>\n");
        }
        checker(report);
        latency(report);
        throughput(timeline);
        evidence(report.check().evidence());
        html.append("<footer>Same data: report.json; charts as images: latency.png, throughput.png.</footer>\n</body>\n</html>\n");
        return html.toString();
    }

    private static List<String> failureReasons(RunReport report) {
        CheckResult check = report.check();
        List<String> reasons = new ArrayList<>();
        if (check.lost() > 0) {
            reasons.add(check.lost() + " lost");
        }
        if (check.duplicated() > 0) {
            reasons.add(check.duplicated() + " duplicated");
        }
        if (check.reordered() > 0) {
            reasons.add(check.reordered() + " reordered");
        }
        if (!report.converged()) {
            reasons.add("devices did not converge");
        }
        return reasons;
    }

    private void checker(RunReport report) {
        CheckResult check = report.check();
        html.append("<h2>Checker</h2>\n<table>\n<tr><th>count</th><th>value</th></tr>\n");
        row("sent", check.sent(), false);
        row("acked", check.acked(), false);
        row("failed sends (refused, not retryable)", check.failed(), false);
        row("delivered (all devices)", check.delivered(), false);
        row("lost", check.lost(), check.lost() > 0);
        row("duplicated", check.duplicated(), check.duplicated() > 0);
        row("reordered", check.reordered(), check.reordered() > 0);
        row("delivered though never acked (allowed)", check.unackedDelivered(), false);
        html.append("<tr><td>converged</td><td").append(report.converged() ? ">yes" : " class=\"bad\">no").append("</td></tr>\n");
        html.append("</table>\n");
    }

    private void row(String name, long value, boolean bad) {
        html.append("<tr><td>").append(escape(name)).append("</td><td").append(bad ? " class=\"bad\"" : "").append('>').append(value)
                .append("</td></tr>\n");
    }

    private void latency(RunReport report) {
        html.append("<h2>Latency</h2>\n<figure>\n").append(SvgLineChart.render(ReportCharts.latency(report), "latency")).append("</figure>\n");
        html.append("<p class=\"note\">From the intended send time (open loop). The x axis is 1/(1-p) on a log scale, "
                + "so each step right is one more nine.</p>\n");
        html.append("<table>\n<tr><th>ms</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n");
        percentileRow("send→ack", LatencyPercentiles.of(report.ackLatencyUs()));
        percentileRow("send→delivered", LatencyPercentiles.of(report.deliveryLatencyUs()));
        percentileRow("sync request", LatencyPercentiles.of(report.syncLatencyUs()));
        html.append("</table>\n");
        html.append("<h3>Operations</h3>\n<table>\n<tr><th>operation</th><th>invoked</th><th>ok</th><th>failed</th><th>unknown (timed out / link lost)</th></tr>\n");
        operationRow("send (per message, retries included)", report.sends());
        operationRow("sync request", report.syncs());
        html.append("</table>\n");
    }

    private void operationRow(String name, OperationCounts counts) {
        html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>%n",
                escape(name), counts.invoked(), counts.ok(), counts.failed(), counts.unknown()));
    }

    private void percentileRow(String name, LatencyPercentiles latency) {
        html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td></tr>%n",
                escape(name), latency.count(), latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.p999Ms(), latency.maxMs()));
    }

    private void throughput(RunTimeline timeline) {
        html.append("<h2>Throughput</h2>\n<figure>\n").append(SvgLineChart.render(ReportCharts.throughput(timeline), "throughput"))
                .append("</figure>\n");
        if (timeline.samplesDroppedCount() > 0) {
            html.append("<p class=\"note\">").append(timeline.samplesDroppedCount()).append(" later samples not kept (limit ")
                    .append(RunTimeline.SAMPLE_COUNT_MAX).append(").</p>\n");
        }
        List<RunTimeline.Fault> faults = new ArrayList<>(timeline.faults());
        faults.sort(Comparator.comparingLong(RunTimeline.Fault::elapsedMs));
        html.append("<h2>Faults</h2>\n");
        if (faults.isEmpty()) {
            html.append("<p>None injected.</p>\n");
        } else {
            html.append("<table>\n<tr><th>fault</th><th>at (s)</th></tr>\n");
            for (RunTimeline.Fault fault : faults) {
                html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f</td></tr>%n", escape(fault.label()), fault.elapsedMs() / 1000.0));
            }
            html.append("</table>\n");
        }
        if (timeline.faultsDroppedCount() > 0) {
            html.append("<p class=\"note\">").append(timeline.faultsDroppedCount()).append(" later faults not kept (limit ")
                    .append(RunTimeline.FAULT_COUNT_MAX).append(").</p>\n");
        }
    }

    private void evidence(List<String> lines) {
        html.append("<h2>Evidence</h2>\n");
        if (lines.isEmpty()) {
            html.append("<p>No violations found.</p>\n");
            return;
        }
        html.append("<ul class=\"evidence\">\n");
        for (String line : lines) {
            html.append("<li>").append(escape(line)).append("</li>\n");
        }
        html.append("</ul>\n");
    }
}

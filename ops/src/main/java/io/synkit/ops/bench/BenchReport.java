package io.synkit.ops.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.synkit.sim.report.PercentileChart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ops bench} writes: the comparison table with ratios (printed, and as
 * {@value #TABLE_FILE} in Markdown), every figure as {@value #JSON_FILE}, and {@value #HTML_FILE}:
 * one self-contained page with the tables and, per rate, the latency percentile curves of synkit
 * and Kafka on one chart (also as {@code latency-*.png}).
 */
final class BenchReport {

    static final String TABLE_FILE = "bench.md";
    static final String JSON_FILE = "bench.json";
    static final String HTML_FILE = "bench.html";
    private static final List<String> COMPARED = List.of(SetBench.BASELINE, SetBench.SYSTEM, KafkaBench.DEFAULT_FLUSHING, KafkaBench.FLUSH_EACH);
    private static final Map<String, String> COLORS = Map.of(SetBench.BASELINE, "#9e9ac8", SetBench.SYSTEM, "#1f77b4",
            KafkaBench.DEFAULT_FLUSHING, "#e6550d", KafkaBench.FLUSH_EACH, "#31a354");
    private static final List<String> RATE_COLORS = List.of("#1f77b4", "#6baed6", "#08519c", "#9e9ac8", "#54278f");
    private static final String GROUP_COLOR = "#e6550d";

    /**
     * @param run how it was run: command, mode, date, machine, load average at start and end
     * @param probes physical references by name
     */
    record Results(Map<String, Object> run, Map<String, Double> probes, List<Measurement> measurements) {
    }

    private BenchReport() {
    }

    /** The comparison and end-to-end tables in Markdown. */
    static String table(Results results) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "ops bench (%s), %s, %s cores, load average %s at start, %s at end%n%n", results.run().get("mode"),
                results.run().get("date"), results.run().get("cores"), results.run().get("load_average_start"), results.run().get("load_average_end")));
        results.probes().forEach((name, value) -> md.append(String.format(Locale.ROOT, "- %s: %,.0f%n", name, value)));
        List<Measurement> set = of(results, SetBench.SYSTEM);
        if (!set.isEmpty()) {
            md.append("\n| phase | system | per second | p50 ms | p99 ms | p99.9 ms | max ms | CPU µs per op | disk B per op | × Kafka default | × Kafka flush=1 |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Measurement synkit : set) {
                for (String system : COMPARED) {
                    find(results, system, synkit.rate()).ifPresent(m -> md.append(String.format(Locale.ROOT,
                            "| %s | %s | %,.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %s | %s |%n", m.phase(), m.system(), m.perSecond(),
                            m.percentileMs(50), m.percentileMs(99), m.percentileMs(99.9), m.latencyUs().getMaxValue() / 1000.0, m.cpuUsTotal(),
                            m.diskBytesTotal(), ratio(results, m, KafkaBench.DEFAULT_FLUSHING), ratio(results, m, KafkaBench.FLUSH_EACH))));
                }
            }
            md.append("\nRatios are synkit's over Kafka's: throughput at saturation (higher is better), p99 at fixed rates (lower is better).\n");
        }
        List<Measurement> endToEnd = new ArrayList<>(of(results, EndToEndBench.ONE_TO_ONE));
        endToEnd.addAll(of(results, EndToEndBench.GROUP));
        if (!endToEnd.isEmpty()) {
            md.append("\n| end to end | offered | per second | send→delivered p50 ms | p99 ms | p99.9 ms | max ms | CPU µs per unit | disk B per unit | checked |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|\n");
            for (Measurement m : endToEnd) {
                Map<String, Long> notes = m.notes();
                String checked = notes.getOrDefault("lost", 0L) + notes.getOrDefault("duplicated", 0L) + notes.getOrDefault("reordered", 0L) == 0
                        && notes.getOrDefault("converged", 0L) == 1 ? "ok" : String.format(Locale.ROOT, "lost=%d dup=%d reord=%d converged=%d",
                        notes.get("lost"), notes.get("duplicated"), notes.get("reordered"), notes.get("converged"));
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %s |%n", m.system(),
                        m.rate() == Measurement.SATURATION ? "saturation" : m.rate() + "/s", m.perSecond(), m.units(), m.percentileMs(50),
                        m.percentileMs(99), m.percentileMs(99.9), m.latencyUs().getMaxValue() / 1000.0, m.cpuUsTotal(), m.diskBytesTotal(), checked));
            }
        }
        md.append("\nCPU µs and disk bytes per op, record, message or delivery, by process:\n\n");
        for (Measurement m : results.measurements()) {
            StringBuilder line = new StringBuilder();
            m.costs().forEach((name, cost) -> line.append(String.format(Locale.ROOT, " %s %.1f µs %.0f B;", name, cost.cpuUs(), cost.diskBytes())));
            md.append(String.format(Locale.ROOT, "- %s, %s:%s%n", m.system(), m.phase(), line));
        }
        return md.toString();
    }

    /** synkit's figure over Kafka's in the same phase: throughput at saturation, p99 at a fixed rate. */
    private static String ratio(Results results, Measurement m, String kafka) {
        if (!m.system().equals(SetBench.SYSTEM) && !m.system().equals(SetBench.BASELINE)) {
            return "";
        }
        return find(results, kafka, m.rate()).map(k -> m.rate() == Measurement.SATURATION
                ? String.format(Locale.ROOT, "%.2f× throughput", m.perSecond() / Math.max(1e-9, k.perSecond()))
                : String.format(Locale.ROOT, "%.2f× p99", m.percentileMs(99) / Math.max(1e-9, k.percentileMs(99)))).orElse("");
    }

    private static List<Measurement> of(Results results, String system) {
        return results.measurements().stream().filter(m -> m.system().equals(system)).toList();
    }

    private static Optional<Measurement> find(Results results, String system, int rate) {
        return results.measurements().stream().filter(m -> m.system().equals(system) && m.rate() == rate).findFirst();
    }

    /** Writes the table, the JSON, the HTML page and the PNG charts into {@code dir}. */
    static void write(Path dir, Results results) throws IOException {
        Files.createDirectories(dir);
        String table = table(results);
        Files.writeString(dir.resolve(TABLE_FILE), table, StandardCharsets.UTF_8);
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(JSON_FILE).toFile(), json(results));
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>synkit ops bench</title>\n<style>\n")
                .append("body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }\n")
                .append("table { border-collapse: collapse; margin: 8px 0; font-size: 14px; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }\n")
                .append("th:first-child, td:first-child, td:nth-child(2) { text-align: left; } figure { margin: 12px 0; border: 1px solid #ddd; }\n")
                .append("figure svg { display: block; width: 100%; height: auto; } pre { background: #f5f5f5; padding: 8px; overflow-x: auto; }\n")
                .append("</style>\n</head>\n<body>\n<h1>synkit ops bench</h1>\n");
        html.append("<pre>").append(escape(String.valueOf(results.run().get("command")))).append("</pre>\n");
        html.append(MarkdownTables.toHtml(table));
        int id = 0;
        for (Map.Entry<String, List<PercentileChart.Curve>> chart : charts(results).entrySet()) {
            PercentileChart percentiles = new PercentileChart(chart.getKey(), chart.getValue());
            String name = "latency-" + chart.getKey().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT).replaceAll("^-|-$", "") + ".png";
            percentiles.writePng(dir.resolve(name));
            html.append("<figure>").append(percentiles.svg("chart" + id++)).append("</figure>\n");
        }
        html.append("</body>\n</html>\n");
        Files.writeString(dir.resolve(HTML_FILE), html, StandardCharsets.UTF_8);
    }

    /** One chart per SET phase (synkit and both Kafkas), one for the 1:1 rates and the group. */
    private static Map<String, List<PercentileChart.Curve>> charts(Results results) {
        Map<String, List<PercentileChart.Curve>> charts = new LinkedHashMap<>();
        for (Measurement synkit : of(results, SetBench.SYSTEM)) {
            List<PercentileChart.Curve> curves = new ArrayList<>();
            for (String system : COMPARED) {
                find(results, system, synkit.rate()).ifPresent(m -> curves.add(new PercentileChart.Curve(system, COLORS.get(system), m.latencyUs())));
            }
            charts.put("Commit latency, " + (synkit.rate() == Measurement.SATURATION ? "saturation" : synkit.rate() + " per s"), curves);
        }
        List<PercentileChart.Curve> endToEnd = new ArrayList<>();
        List<Measurement> oneToOne = of(results, EndToEndBench.ONE_TO_ONE);
        for (int i = 0; i < oneToOne.size(); i++) {
            endToEnd.add(new PercentileChart.Curve("1:1 " + oneToOne.get(i).phase(), RATE_COLORS.get(i % RATE_COLORS.size()), oneToOne.get(i).latencyUs()));
        }
        of(results, EndToEndBench.GROUP).forEach(m -> endToEnd.add(new PercentileChart.Curve("group of 500, " + m.phase(), GROUP_COLOR, m.latencyUs())));
        if (!endToEnd.isEmpty()) {
            charts.put("End to end, send to delivered", endToEnd);
        }
        return charts;
    }

    private static Map<String, Object> json(Results results) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("run", results.run());
        document.put("probes", results.probes());
        List<Map<String, Object>> measurements = new ArrayList<>();
        for (Measurement m : results.measurements()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("system", m.system());
            entry.put("phase", m.phase());
            entry.put("rate_offered_per_s", m.rate());
            entry.put("unit", m.unit());
            entry.put("per_second", m.perSecond());
            entry.put("count", m.count());
            entry.put("failed", m.failed());
            Map<String, Double> latency = new LinkedHashMap<>();
            for (double percentile : new double[] {50, 90, 99, 99.9}) {
                latency.put("p" + (percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile)) + "_ms",
                        m.percentileMs(percentile));
            }
            latency.put("max_ms", m.latencyUs().getMaxValue() / 1000.0);
            entry.put("latency", latency);
            Map<String, Object> costs = new LinkedHashMap<>();
            m.costs().forEach((name, cost) -> costs.put(name, Map.of("cpu_us", cost.cpuUs(), "disk_bytes", cost.diskBytes())));
            entry.put("per_unit_by_process", costs);
            entry.put("cpu_us_per_unit", m.cpuUsTotal());
            entry.put("disk_bytes_per_unit", m.diskBytesTotal());
            entry.put("notes", m.notes());
            measurements.add(entry);
        }
        document.put("measurements", measurements);
        return document;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

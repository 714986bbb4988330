package io.synkit.sim.report;

import io.synkit.sim.run.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a run's report for people and tools into one directory:
 * <ul>
 *   <li>{@code report.json}: every number of the report (see {@link ReportJson});</li>
 *   <li>{@code report.html}: one self-contained page with the verdict, RESULT line, charts as
 *       inline SVG, percentile and fault tables, and the checker's evidence;</li>
 *   <li>{@code latency.png}, {@code throughput.png}: the same charts, 900x450, for issues and chat.</li>
 * </ul>
 * Existing files of those names are replaced.
 */
public final class ReportWriter {

    public static final String JSON_FILE = "report.json";
    public static final String HTML_FILE = "report.html";
    public static final String LATENCY_PNG_FILE = "latency.png";
    public static final String THROUGHPUT_PNG_FILE = "throughput.png";

    private ReportWriter() {
    }

    /**
     * @param dir created if missing
     * @param scenario the run's name, e.g. "kill-primary"
     * @param seed the seed that replays the run
     * @param timeline samples and faults observed during the run; read once it has ended
     */
    public static ReportFiles write(Path dir, String scenario, long seed, RunReport report, RunTimeline timeline) throws IOException {
        Files.createDirectories(dir);
        ReportFiles files = new ReportFiles(dir.resolve(JSON_FILE), dir.resolve(HTML_FILE), dir.resolve(LATENCY_PNG_FILE),
                dir.resolve(THROUGHPUT_PNG_FILE));
        ReportJson.write(files.json(), scenario, seed, report, timeline);
        Files.writeString(files.html(), ReportHtml.render(scenario, seed, report, timeline), StandardCharsets.UTF_8);
        PngLineChart.write(ReportCharts.latency(report), files.latencyPng());
        PngLineChart.write(ReportCharts.throughput(timeline), files.throughputPng());
        return files;
    }
}

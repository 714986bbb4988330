package io.synkit.sim.report;

import io.synkit.sim.report.LineChart.Axis;
import io.synkit.sim.report.LineChart.Line;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Latency-by-percentile curves of several named histograms on one chart, drawn as the run
 * report's latency chart is (x in "nines", so the tail is visible): as an inline SVG element and
 * as a PNG file. {@code ops bench} puts synkit's and Kafka's curves at one rate on one chart.
 */
public final class PercentileChart {

    /** @param color CSS hex colour, {@code #rrggbb} */
    public record Curve(String name, String color, Histogram latencyUs) {
    }

    private final LineChart chart;

    public PercentileChart(String title, List<Curve> curves) {
        long countMax = curves.stream().mapToLong(curve -> curve.latencyUs().getTotalCount()).max().orElse(0);
        int nines = (int) Math.min(ReportCharts.NINES_MAX, Math.max(ReportCharts.NINES_MIN, Math.ceil(Math.log10(Math.max(1, countMax)))));
        double maxMs = curves.stream().mapToLong(curve -> curve.latencyUs().getMaxValue()).max().orElse(0) / 1000.0;
        List<Line> lines = new ArrayList<>();
        for (Curve curve : curves) {
            lines.add(new Line(curve.name(), curve.color(), ReportCharts.LINE_WIDTH_PX, ReportCharts.curve(curve.latencyUs(), nines)));
        }
        chart = new LineChart(title, new Axis("percentile", 0, nines, 1, ReportCharts::percentileLabel), Axis.fromZero("latency (ms)", maxMs),
                lines, List.of());
    }

    /** @param id unique within the page */
    public String svg(String id) {
        return SvgLineChart.render(chart, id);
    }

    public void writePng(Path file) throws IOException {
        PngLineChart.write(chart, file);
    }
}

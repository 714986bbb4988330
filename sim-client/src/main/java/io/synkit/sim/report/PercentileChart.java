package io.synkit.sim.report;

import io.synkit.sim.report.LineChart.Axis;
import io.synkit.sim.report.LineChart.Line;
import io.synkit.sim.report.LineChart.Point;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Latency-by-percentile curves of several named histograms on one chart, drawn as the run
 * report's latency chart is (x in "nines", so the tail is visible): as an inline SVG element and
 * as a PNG file, latency on a log scale so that curves a hundred times apart both show.
 * {@code ops bench} puts synkit's and Kafka's curves at one rate on one chart.
 */
public final class PercentileChart {

    /** @param color CSS hex colour, {@code #rrggbb} */
    public record Curve(String name, String color, Histogram latencyUs) {
    }

    /** The log scale's floor: latencies are recorded in µs, so nothing is below 1 µs. */
    private static final double LATENCY_MS_MIN = 0.001;

    private final LineChart chart;

    public PercentileChart(String title, List<Curve> curves) {
        long countMax = curves.stream().mapToLong(curve -> curve.latencyUs().getTotalCount()).max().orElse(0);
        int nines = (int) Math.min(ReportCharts.NINES_MAX, Math.max(ReportCharts.NINES_MIN, Math.ceil(Math.log10(Math.max(1, countMax)))));
        List<Line> lines = new ArrayList<>();
        double decadeLow = Double.MAX_VALUE;
        double decadeHigh = -Double.MAX_VALUE;
        for (Curve curve : curves) {
            List<Point> points = new ArrayList<>();
            for (Point point : ReportCharts.curve(curve.latencyUs(), nines)) {
                double decade = Math.log10(Math.max(LATENCY_MS_MIN, point.y()));
                decadeLow = Math.min(decadeLow, decade);
                decadeHigh = Math.max(decadeHigh, decade);
                points.add(new Point(point.x(), decade));
            }
            lines.add(new Line(curve.name(), curve.color(), ReportCharts.LINE_WIDTH_PX, points));
        }
        double low = decadeLow == Double.MAX_VALUE ? 0 : Math.floor(decadeLow);
        double high = Math.max(low + 1, Math.ceil(decadeHigh));
        chart = new LineChart(title, new Axis("percentile", 0, nines, 1, ReportCharts::percentileLabel),
                new Axis("latency (ms, log scale)", low, high, 1, PercentileChart::decadeLabel), lines, List.of());
    }

    /** 10 to the {@code decade}, in ms: "0.1", "1", "10", "1,000". */
    private static String decadeLabel(double decade) {
        double ms = Math.pow(10, Math.round(decade));
        return ms < 1 ? String.format(Locale.ROOT, "%." + (int) Math.round(-decade) + "f", ms) : String.format(Locale.ROOT, "%,.0f", ms);
    }

    /** @param id unique within the page */
    public String svg(String id) {
        return SvgLineChart.render(chart, id);
    }

    public void writePng(Path file) throws IOException {
        PngLineChart.write(chart, file);
    }
}

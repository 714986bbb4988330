package io.synkit.sim.report;

import io.synkit.sim.report.LineChart.Axis;
import io.synkit.sim.report.LineChart.Line;
import io.synkit.sim.report.LineChart.Marker;
import io.synkit.sim.report.LineChart.Point;
import io.synkit.sim.run.RunReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The two charts of a run report, described once for both the HTML page and the PNG files. */
final class ReportCharts {

    static final String ACK_COLOR = "#1f77b4";
    static final String DELIVERED_COLOR = "#e6550d";
    /** Pale and wide, drawn first: sent and acked are equal in a healthy run, and both must show. */
    static final String SENT_COLOR = "#bdbdbd";
    static final float SENT_WIDTH_PX = 6f;
    static final float LINE_WIDTH_PX = 2f;

    /** The percentile axis always reaches 99.99%; further for histograms big enough to resolve it. */
    static final int NINES_MIN = 4;
    static final int NINES_MAX = 6;
    /** Curve points per decade of 1/(1-p): smooth enough, and at most 121 points per curve. */
    static final int POINTS_PER_NINE = 20;

    private ReportCharts() {
    }

    /**
     * Latency against percentile, as HdrHistogram's plotter draws it: x is log10(1/(1-p)), the
     * "number of nines", so 90%, 99%, 99.9% and 99.99% are evenly spaced and the tail is visible.
     */
    static LineChart latency(RunReport report) {
        long countMax = Math.max(report.ackLatencyUs().getTotalCount(), report.deliveryLatencyUs().getTotalCount());
        int nines = (int) Math.min(NINES_MAX, Math.max(NINES_MIN, Math.ceil(Math.log10(Math.max(1, countMax)))));
        Axis x = new Axis("percentile", 0, nines, 1, ReportCharts::percentileLabel);
        double maxMs = Math.max(report.ackLatencyUs().getMaxValue(), report.deliveryLatencyUs().getMaxValue()) / 1000.0;
        Axis y = Axis.fromZero("latency (ms)", maxMs);
        List<Line> lines = List.of(new Line("send→ack", ACK_COLOR, LINE_WIDTH_PX, curve(report.ackLatencyUs(), nines)),
                new Line("send→delivered", DELIVERED_COLOR, LINE_WIDTH_PX, curve(report.deliveryLatencyUs(), nines)));
        return new LineChart("Latency by percentile", x, y, lines, List.of());
    }

    /** Sent, acked and delivered per second, with a dashed line at each fault. */
    static LineChart throughput(RunTimeline timeline) {
        List<RunTimeline.Rate> rates = timeline.rates();
        List<RunTimeline.Fault> faults = new ArrayList<>(timeline.faults());
        faults.sort(Comparator.comparingLong(RunTimeline.Fault::elapsedMs));
        long lastMs = 0;
        double rateMax = 0;
        List<Point> sent = new ArrayList<>();
        List<Point> acked = new ArrayList<>();
        List<Point> delivered = new ArrayList<>();
        for (RunTimeline.Rate rate : rates) {
            double seconds = rate.elapsedMs() / 1000.0;
            sent.add(new Point(seconds, rate.sentPerS()));
            acked.add(new Point(seconds, rate.ackedPerS()));
            delivered.add(new Point(seconds, rate.deliveredPerS()));
            rateMax = Math.max(rateMax, Math.max(rate.sentPerS(), Math.max(rate.ackedPerS(), rate.deliveredPerS())));
            lastMs = Math.max(lastMs, rate.elapsedMs());
        }
        List<Marker> markers = new ArrayList<>();
        for (RunTimeline.Fault fault : faults) {
            markers.add(new Marker(Math.max(0, fault.elapsedMs()) / 1000.0, fault.label()));
            lastMs = Math.max(lastMs, fault.elapsedMs());
        }
        List<Line> lines = List.of(new Line("sent/s", SENT_COLOR, SENT_WIDTH_PX, sent),
                new Line("acked/s", ACK_COLOR, LINE_WIDTH_PX, acked), new Line("delivered/s", DELIVERED_COLOR, LINE_WIDTH_PX, delivered));
        return new LineChart("Throughput over time", Axis.fromZero("time since sending started (s)", lastMs / 1000.0),
                Axis.fromZero("messages per second", rateMax), lines, markers);
    }

    /** 0 → "0%", 1 → "90%", 2 → "99%", 3 → "99.9%": the percentile that many nines stand for. */
    static String percentileLabel(double nines) {
        int whole = (int) Math.round(nines);
        if (whole == 0) {
            return "0%";
        }
        return String.format(Locale.ROOT, "%." + Math.max(0, whole - 2) + "f%%", 100 * (1 - Math.pow(10, -whole)));
    }

    static List<Point> curve(Histogram histogramUs, int nines) {
        List<Point> points = new ArrayList<>();
        if (histogramUs.getTotalCount() == 0) {
            return points;
        }
        for (int i = 0; i <= nines * POINTS_PER_NINE; i++) {
            double x = (double) i / POINTS_PER_NINE;
            double percentile = 100 * (1 - Math.pow(10, -x));
            points.add(new Point(x, histogramUs.getValueAtPercentile(percentile) / 1000.0));
        }
        return points;
    }
}

package io.synkit.sim.report;

import io.synkit.sim.report.LineChart.Axis;
import io.synkit.sim.report.LineChart.Line;
import io.synkit.sim.report.LineChart.Marker;
import io.synkit.sim.report.LineChart.Point;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.function.DoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws a {@link LineChart} to a PNG file through JFreeChart, with the same axes and ticks as the SVG. */
final class PngLineChart {

    static final int WIDTH_PX = 900;
    static final int HEIGHT_PX = 450;
    private static final Color MARKER_COLOR = new Color(0xc0392b);
    private static final Color GRID_COLOR = new Color(0xdddddd);
    private static final Color MARKER_LABEL_BACKGROUND = new Color(255, 255, 255, 220);
    /** Labels of faults close in time are staggered over this many rows so they stay readable. */
    private static final int MARKER_LABEL_ROWS = 4;

    private PngLineChart() {
    }

    static void write(LineChart chart, Path file) throws IOException {
        // Reports are written on servers and in CI, often with a stale DISPLAY: never reach for a window system.
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(file.toFile(), build(chart), WIDTH_PX, HEIGHT_PX);
    }

    private static JFreeChart build(LineChart chart) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (Line line : chart.lines()) {
            XYSeries series = new XYSeries(line.name(), false, true);
            for (Point point : line.points()) {
                series.add(point.x(), point.y(), false);
            }
            dataset.addSeries(series);
        }
        JFreeChart jfree = ChartFactory.createXYLineChart(chart.title(), chart.x().label(), chart.y().label(), dataset,
                PlotOrientation.VERTICAL, true, false, false);
        jfree.setBackgroundPaint(Color.WHITE);
        XYPlot plot = jfree.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID_COLOR);
        plot.setRangeGridlinePaint(GRID_COLOR);
        plot.setNoDataMessage("no data recorded");
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        List<Line> lines = chart.lines();
        for (int i = 0; i < lines.size(); i++) {
            renderer.setSeriesPaint(i, Color.decode(lines.get(i).color()));
            renderer.setSeriesStroke(i, new BasicStroke(lines.get(i).widthPx(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        }
        plot.setRenderer(renderer);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // first line at the bottom, as in the SVG
        jfree.setPadding(new RectangleInsets(4, 4, 4, 28)); // room for the last x tick label, e.g. "99.999%"
        configure((NumberAxis) plot.getDomainAxis(), chart.x());
        configure((NumberAxis) plot.getRangeAxis(), chart.y());
        List<Marker> markers = chart.markers();
        for (int i = 0; i < markers.size(); i++) {
            plot.addDomainMarker(marker(markers.get(i), i % MARKER_LABEL_ROWS));
        }
        return jfree;
    }

    private static void configure(NumberAxis numberAxis, Axis axis) {
        numberAxis.setRange(axis.min(), axis.max());
        numberAxis.setTickUnit(new NumberTickUnit(axis.tickStep(), new TickLabels(axis.tickLabel())));
    }

    private static ValueMarker marker(Marker marker, int labelRow) {
        BasicStroke dashed = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
        ValueMarker valueMarker = new ValueMarker(marker.x(), MARKER_COLOR, dashed);
        valueMarker.setLabel(marker.label());
        valueMarker.setLabelPaint(MARKER_COLOR);
        valueMarker.setLabelBackgroundColor(MARKER_LABEL_BACKGROUND);
        valueMarker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        valueMarker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        valueMarker.setLabelOffset(new RectangleInsets(4 + 14 * labelRow, 4, 4, 4));
        return valueMarker;
    }

    /** Tick labels from the chart's axis, so the PNG reads "99.9%" where the SVG does. */
    private static final class TickLabels extends NumberFormat {

        private final transient DoubleFunction<String> label;

        TickLabels(DoubleFunction<String> label) {
            this.label = label;
        }

        @Override
        public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition position) {
            return toAppendTo.append(label.apply(number));
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition position) {
            return toAppendTo.append(label.apply(number));
        }

        /** Tick labels are only drawn, never read back: parsing reports failure as NumberFormat's contract says. */
        @Override
        public Number parse(String source, ParsePosition position) {
            position.setErrorIndex(position.getIndex());
            return null;
        }
    }
}

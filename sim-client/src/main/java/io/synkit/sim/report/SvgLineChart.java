package io.synkit.sim.report;

import static io.synkit.sim.report.ReportHtml.escape;

import io.synkit.sim.report.LineChart.Axis;
import io.synkit.sim.report.LineChart.Line;
import io.synkit.sim.report.LineChart.Marker;
import io.synkit.sim.report.LineChart.Point;
import java.util.Locale;

/**
 * Draws a {@link LineChart} as an inline SVG element, so report.html needs no script, font or
 * stylesheet from elsewhere. Sized by its viewBox: the page may scale it to its width.
 */
final class SvgLineChart {

    static final int WIDTH = 900;
    static final int HEIGHT = 450;
    private static final int LEFT = 76;
    private static final int RIGHT = 40;
    private static final int TOP = 60;
    private static final int BOTTOM = 56;
    private static final String MARKER_COLOR = "#c0392b";
    /** Rotated fault labels whose baselines are closer than this overlap. */
    private static final double MARKER_LABEL_SPACING_PX = 14;
    private static final double MARKER_LABEL_GLYPH_WIDTH_PX = 7;
    /** Legend layout without measuring text: a generous average glyph width at 13px sans-serif. */
    private static final double GLYPH_WIDTH_PX = 7.5;

    private final LineChart chart;
    private final StringBuilder svg = new StringBuilder(16 * 1024);

    private SvgLineChart(LineChart chart) {
        this.chart = chart;
    }

    /** @param id unique within the page; names the chart's title element for screen readers */
    static String render(LineChart chart, String id) {
        return new SvgLineChart(chart).draw(id);
    }

    private String draw(String id) {
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-labelledby=\"").append(id).append("-title\" font-family=\"sans-serif\" font-size=\"13\">\n");
        svg.append("<title id=\"").append(id).append("-title\">").append(escape(chart.title())).append("</title>\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(LEFT, 24, "start", "font-size=\"16\" font-weight=\"bold\"", chart.title());
        legend();
        grid();
        if (chart.isEmpty()) {
            text((LEFT + WIDTH - RIGHT) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0, "middle", "fill=\"#888888\"", "no data recorded");
        }
        for (Line line : chart.lines()) {
            polyline(line);
        }
        markers();
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void legend() {
        double x = LEFT;
        for (Line line : chart.lines()) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"44\" x2=\"%.1f\" y2=\"44\" stroke=\"%s\" stroke-width=\"%.1f\"/>%n",
                    x, x + 22, line.color(), Math.max(3, line.widthPx())));
            text(x + 28, 48, "start", "", line.name());
            x += 28 + line.name().length() * GLYPH_WIDTH_PX + 24;
        }
        if (!chart.markers().isEmpty()) {
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"44\" x2=\"%.1f\" y2=\"44\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>%n",
                    x, x + 22, MARKER_COLOR));
            text(x + 28, 48, "start", "", "fault");
        }
    }

    private void grid() {
        Axis x = chart.x();
        Axis y = chart.y();
        for (double tick : y.ticks()) {
            double sy = sy(tick);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n",
                    LEFT, sy, WIDTH - RIGHT, sy));
            text(LEFT - 8, sy + 4, "end", "fill=\"#444444\"", y.tickLabel().apply(tick));
        }
        for (double tick : x.ticks()) {
            double sx = sx(tick);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e5e5e5\"/>%n",
                    sx, TOP, sx, HEIGHT - BOTTOM));
            text(sx, HEIGHT - BOTTOM + 18, "middle", "fill=\"#444444\"", x.tickLabel().apply(tick));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999999\"/>%n",
                LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 12, "middle", "", x.label());
        double middleY = (TOP + HEIGHT - BOTTOM) / 2.0;
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                middleY, escape(y.label())));
    }

    private void polyline(Line line) {
        if (line.points().isEmpty()) {
            return;
        }
        svg.append("<polyline fill=\"none\" stroke=\"").append(line.color())
                .append(String.format(Locale.ROOT, "\" stroke-width=\"%.1f\" stroke-linejoin=\"round\" points=\"", line.widthPx()));
        for (Point point : line.points()) {
            svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx(point.x()), sy(point.y())));
        }
        svg.setLength(svg.length() - 1);
        svg.append("\"><title>").append(escape(line.name())).append("</title></polyline>\n");
    }

    /**
     * Each label runs down beside its line from the plot's top edge. When the previous label is too
     * close it goes below that one, and when the plot has no room left there, to the right of it;
     * a white halo keeps it readable where it crosses a line.
     */
    private void markers() {
        double previousX = Double.NEGATIVE_INFINITY;
        double previousBottomY = TOP;
        for (Marker marker : chart.markers()) {
            double labelX = sx(marker.x()) - 4;
            double labelTopY = TOP + 6;
            double lengthPx = marker.label().length() * MARKER_LABEL_GLYPH_WIDTH_PX;
            if (labelX - previousX < MARKER_LABEL_SPACING_PX) {
                if (previousBottomY + 10 + lengthPx <= HEIGHT - BOTTOM) {
                    labelTopY = previousBottomY + 10;
                } else {
                    labelX = previousX + MARKER_LABEL_SPACING_PX;
                }
            }
            marker(marker, labelX, labelTopY);
            previousX = labelX;
            previousBottomY = labelTopY + lengthPx;
        }
    }

    private void marker(Marker marker, double labelX, double labelTopY) {
        double sx = sx(marker.x());
        svg.append("<g>");
        svg.append("<title>").append(escape(marker.label())).append(String.format(Locale.ROOT, " at %.1f s", marker.x())).append("</title>");
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
                sx, TOP, sx, HEIGHT - BOTTOM, MARKER_COLOR));
        svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"end\" font-size=\"12\" fill=\"%s\" "
                        + "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>",
                labelX, labelTopY, MARKER_COLOR, escape(marker.label())));
        svg.append("</g>\n");
    }

    private void text(double x, double y, String anchor, String attributes, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n", x, y, anchor, attributes,
                escape(content)));
    }

    private double sx(double value) {
        Axis x = chart.x();
        return LEFT + (value - x.min()) / (x.max() - x.min()) * (WIDTH - LEFT - RIGHT);
    }

    private double sy(double value) {
        Axis y = chart.y();
        return HEIGHT - BOTTOM - (value - y.min()) / (y.max() - y.min()) * (HEIGHT - TOP - BOTTOM);
    }
}

package io.synkit.sim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A line chart described once and drawn twice, as inline SVG for report.html ({@link SvgLineChart})
 * and as PNG through JFreeChart ({@link PngLineChart}), so both show the same axes and ticks.
 *
 * @param markers vertical dashed lines at x values, e.g. faults
 */
record LineChart(String title, Axis x, Axis y, List<Line> lines, List<Marker> markers) {

    LineChart {
        lines = List.copyOf(lines);
        markers = List.copyOf(markers);
    }

    boolean isEmpty() {
        return lines.stream().allMatch(line -> line.points().isEmpty());
    }

    /** A linear axis from {@code min} to {@code max} with a labelled tick every {@code tickStep}. */
    record Axis(String label, double min, double max, double tickStep, DoubleFunction<String> tickLabel) {

        /** More ticks than a 900-pixel chart can label legibly. */
        static final int TICK_COUNT_MAX = 50;

        Axis {
            if (!(max > min)) {
                throw new IllegalArgumentException("axis " + label + " max=" + max + " must be > min=" + min);
            }
            if (!(tickStep > 0)) {
                throw new IllegalArgumentException("axis " + label + " tickStep=" + tickStep + " must be > 0");
            }
            if ((max - min) / tickStep > TICK_COUNT_MAX) {
                throw new IllegalArgumentException("axis " + label + " range=" + (max - min) + " / tickStep=" + tickStep
                        + " gives more than " + TICK_COUNT_MAX + " ticks");
            }
        }

        /** From 0 to a round number at or above {@code dataMax}, with about five ticks at 1, 2 or 5 times a power of ten. */
        static Axis fromZero(String label, double dataMax) {
            double max = dataMax > 0 ? dataMax : 1;
            double rough = max / 5;
            double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
            double residual = rough / magnitude;
            double step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
            int decimals = (int) Math.max(0, -Math.floor(Math.log10(step)));
            return new Axis(label, 0, Math.ceil(max / step - 1e-9) * step, step,
                    value -> String.format(Locale.ROOT, "%." + decimals + "f", value));
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            long count = Math.round(Math.floor((max - min) / tickStep + 1e-9));
            for (long i = 0; i <= count; i++) {
                ticks.add(min + i * tickStep);
            }
            return ticks;
        }
    }

    record Point(double x, double y) {
    }

    /**
     * @param color CSS hex colour, {@code #rrggbb}
     * @param widthPx stroke width; a wide pale line under a narrow one stays visible where both are equal
     */
    record Line(String name, String color, float widthPx, List<Point> points) {

        Line {
            if (!(widthPx > 0)) {
                throw new IllegalArgumentException("line " + name + " widthPx=" + widthPx + " must be > 0");
            }
            points = List.copyOf(points);
        }
    }

    record Marker(double x, String label) {
    }
}

package io.synkit.sim.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.sim.check.CheckResult;
import io.synkit.sim.device.OperationCounts;
import io.synkit.sim.run.RunReport;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportChartsTest {

    @Test
    void percentileAxisIsLabelledInNines() {
        assertEquals(List.of("0%", "90%", "99%", "99.9%", "99.99%", "99.999%"),
                List.of(0, 1, 2, 3, 4, 5).stream().map(ReportCharts::percentileLabel).toList());
    }

    @Test
    void latencyCurvesRunFromTheMinimumToTheMaximumAcrossFourNines() {
        Histogram ackUs = new Histogram(3);
        Histogram deliveryUs = new Histogram(3);
        for (int i = 1; i <= 100; i++) {
            ackUs.recordValue(i * 1000L);
            deliveryUs.recordValue(i * 2000L);
        }
        RunReport report = new RunReport(2, new CheckResult(100, 100, 0, 100, 0, 0, 0, 0, List.of()), ackUs, deliveryUs, new Histogram(3), OperationCounts.NONE, OperationCounts.NONE, true, 1000);

        LineChart chart = ReportCharts.latency(report);
        assertEquals(4, chart.x().max(), "axis reaches 99.99% even for few values");
        List<LineChart.Point> ack = chart.lines().get(0).points();
        assertEquals(new LineChart.Point(0, ackUs.getValueAtPercentile(0) / 1000.0), ack.get(0));
        assertEquals(new LineChart.Point(4, ackUs.getMaxValue() / 1000.0), ack.get(ack.size() - 1));
        double maxMs = deliveryUs.getMaxValue() / 1000.0;
        assertTrue(chart.y().max() >= maxMs && chart.y().max() < 1.5 * maxMs, "y axis ends on a tick just above " + maxMs);
    }

    @Test
    void throughputChartMarksEveryFaultInTimeOrder() {
        RunTimeline timeline = new RunTimeline();
        timeline.sample(1000, 10, 10, 10);
        timeline.fault(2500, "restart s1-r0");
        timeline.fault(1500, "SIGKILL s1-r0");

        LineChart chart = ReportCharts.throughput(timeline);
        assertEquals(List.of(new LineChart.Marker(1.5, "SIGKILL s1-r0"), new LineChart.Marker(2.5, "restart s1-r0")), chart.markers());
        assertTrue(chart.x().max() >= 2.5, "the time axis reaches the last fault");
    }

    @Test
    void axisFromZeroEndsOnARoundTick() {
        LineChart.Axis axis = LineChart.Axis.fromZero("ms", 437);
        assertEquals(100, axis.tickStep());
        assertEquals(500, axis.max());
        assertEquals(List.of(0.0, 100.0, 200.0, 300.0, 400.0, 500.0), axis.ticks());
        LineChart.Axis small = LineChart.Axis.fromZero("ms", 0.9);
        assertEquals(0.2, small.tickStep(), 1e-12);
        assertEquals("0.4", small.tickLabel().apply(small.ticks().get(2)));
        assertThrows(IllegalArgumentException.class, () -> new LineChart.Axis("x", 0, 1000, 1, String::valueOf));
    }
}

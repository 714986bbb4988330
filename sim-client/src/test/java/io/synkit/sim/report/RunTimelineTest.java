package io.synkit.sim.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunTimelineTest {

    @Test
    void keepsAtMostSampleCountMaxSamplesAndCountsTheRest() {
        RunTimeline timeline = new RunTimeline();
        for (int i = 1; i <= RunTimeline.SAMPLE_COUNT_MAX + 5; i++) {
            timeline.sample(i * 1000L, i, i, i);
        }
        assertEquals(RunTimeline.SAMPLE_COUNT_MAX, timeline.samples().size());
        assertEquals(5, timeline.samplesDroppedCount());
        assertEquals(RunTimeline.SAMPLE_COUNT_MAX * 1000L, timeline.samples().get(RunTimeline.SAMPLE_COUNT_MAX - 1).elapsedMs());
    }

    @Test
    void keepsAtMostFaultCountMaxFaultsAndCountsTheRest() {
        RunTimeline timeline = new RunTimeline();
        for (int i = 0; i < RunTimeline.FAULT_COUNT_MAX + 3; i++) {
            timeline.fault(i, "fault " + i);
        }
        assertEquals(RunTimeline.FAULT_COUNT_MAX, timeline.faults().size());
        assertEquals(3, timeline.faultsDroppedCount());
    }

    @Test
    void rejectsSampleNotAfterThePreviousOne() {
        RunTimeline timeline = new RunTimeline();
        timeline.sample(2000, 1, 1, 1);
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class, () -> timeline.sample(2000, 2, 2, 2));
        assertTrue(same.getMessage().contains("elapsedMs=2000"), same.getMessage());
        assertThrows(IllegalArgumentException.class, () -> timeline.sample(1000, 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new RunTimeline().sample(-1, 0, 0, 0));
        assertEquals(1, timeline.samples().size());
    }

    @Test
    void ratesAreCountDifferencesPerSecondOfTheirInterval() {
        RunTimeline timeline = new RunTimeline();
        timeline.sample(500, 50, 40, 100);
        timeline.sample(1500, 150, 140, 400);
        timeline.sample(3500, 350, 140, 800);

        List<RunTimeline.Rate> rates = timeline.rates();
        assertEquals(new RunTimeline.Rate(500, 100, 80, 200), rates.get(0));
        assertEquals(new RunTimeline.Rate(1500, 100, 100, 300), rates.get(1));
        assertEquals(new RunTimeline.Rate(3500, 100, 0, 200), rates.get(2));
    }

    @Test
    void gettersReturnImmutableSnapshots() {
        RunTimeline timeline = new RunTimeline();
        timeline.sample(1000, 1, 1, 1);
        timeline.fault(500, "SIGKILL s1-r0");
        List<RunTimeline.Sample> samples = timeline.samples();
        List<RunTimeline.Fault> faults = timeline.faults();
        timeline.sample(2000, 2, 2, 2);

        assertEquals(1, samples.size());
        assertThrows(UnsupportedOperationException.class, () -> samples.add(new RunTimeline.Sample(3000, 3, 3, 3)));
        assertThrows(UnsupportedOperationException.class, () -> faults.clear());
        assertThrows(UnsupportedOperationException.class, () -> timeline.rates().clear());
    }

    @Test
    void keepsEveryFaultMarkedFromManyThreads() throws InterruptedException {
        RunTimeline timeline = new RunTimeline();
        int threadCount = 4;
        int faultsPerThread = 1000;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < faultsPerThread; i++) {
                    timeline.fault(i, "t" + thread + "-" + i);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (int i = 1; i <= 1000; i++) {
            timeline.sample(i, i, i, i);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(threadCount * faultsPerThread, timeline.faults().size());
        assertEquals(1000, timeline.samples().size());
    }
}

package io.synkit.ops.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * How late a process's own event loops run their work: a probe on each loop of a group, due
 * {@value #PERIOD_MS} ms after its last run, records how long after its due time it ran (a fixed
 * delay, not a fixed rate: after one long stall a fixed-rate probe stays behind by the whole stall
 * for as long as the loop's turns take more than the period, and would measure its own backlog).
 * A client worker of a storm reports it, so that a client's auth latency can be told apart from
 * the time its own loop took to get to the answer (on a 2-core machine the clients share the
 * cores with the cluster).
 */
final class EventLoopLag implements AutoCloseable {

    static final long PERIOD_MS = 10;
    private static final long PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);

    private final Recorder lateUs = new Recorder(3);
    private final List<ScheduledFuture<?>> probes = new ArrayList<>();

    EventLoopLag(EventLoopGroup loops) {
        for (EventExecutor loop : loops) {
            long[] dueNs = {System.nanoTime() + PERIOD_NS};
            probes.add(loop.scheduleWithFixedDelay(() -> {
                long nowNs = System.nanoTime();
                lateUs.recordValue(Math.max(0, nowNs - dueNs[0]) / 1_000);
                dueNs[0] = nowNs + PERIOD_NS;
            }, PERIOD_NS, PERIOD_NS, TimeUnit.NANOSECONDS));
        }
    }

    /** Forgets what was recorded so far: the next {@link #sinceReset()} starts here. */
    void reset() {
        lateUs.reset();
    }

    /** How late the probes ran since the last reset, in µs. */
    Histogram sinceReset() {
        return lateUs.getIntervalHistogram();
    }

    @Override
    public void close() {
        probes.forEach(probe -> probe.cancel(false));
    }
}

package io.synkit.access.link;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.synkit.access.health.Halt;
import io.synkit.runtime.Clock;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The sweep of each event loop that serves links. */
@FunctionalInterface
public interface LinkSweeps {

    LinkSweep of(EventExecutor loop);

    /** One sweep per loop of {@code loops}, each run on its loop every {@code intervalMs}. */
    static LinkSweeps start(EventLoopGroup loops, Clock clock, Halt halt, int intervalMs) {
        Map<EventExecutor, LinkSweep> sweeps = new IdentityHashMap<>();
        for (EventExecutor loop : loops) {
            LinkSweep sweep = new LinkSweep(clock, halt);
            sweeps.put(loop, sweep);
            loop.scheduleAtFixedRate(sweep, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
        // Filled before any link exists and never changed: reads from the loops need no lock.
        Map<EventExecutor, LinkSweep> fixed = Map.copyOf(sweeps);
        return loop -> {
            LinkSweep sweep = fixed.get(loop);
            if (sweep == null) {
                throw new IllegalStateException("event loop " + loop + " has no link sweep");
            }
            return sweep;
        };
    }
}

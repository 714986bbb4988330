package io.synkit.access.health;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Watches the node's event loops. Each {@link #tick()} hands every loop a no-op probe task; a
 * loop that has not run its probe by the next tick is stalled for one more tick. A loop stalled
 * for {@code stallUnreadyTicks} makes the node not ready (no new client could authenticate on it);
 * one stalled for {@code stallExitTicks}, or one that terminated while the node serves, halts the
 * process: every link on it is dead and only a restart brings them back.
 *
 * <p>Stalls are counted in ticks of the watchdog's own thread, not in wall time: when the whole
 * process stops (SIGSTOP, a long collection) the watchdog stops with it and nothing is counted.
 * {@link #tick()} runs on one thread at a time; {@link #stalledReason()} on any.
 */
public final class LoopWatchdog {

    private final String name;
    private final List<EventExecutor> loops;
    private final int tickMs;
    private final int stallUnreadyTicks;
    private final int stallExitTicks;
    private final Halt halt;
    /** Per loop: 1 while its probe waits to run. */
    private final AtomicIntegerArray probePending;
    /** Per loop: ticks its current probe has waited (written by the ticking thread only). */
    private final int[] stalledTicks;
    private volatile String stalledReason;
    private volatile boolean stopped;

    /**
     * @param loops the loops to watch, named in reasons as {@code name} and their index
     * @param tickMs how often {@link #tick()} is called (for the reasons' wording)
     */
    public LoopWatchdog(String name, List<EventExecutor> loops, int tickMs, int stallUnreadyTicks, int stallExitTicks, Halt halt) {
        if (tickMs < 1 || stallUnreadyTicks < 1 || stallExitTicks <= stallUnreadyTicks) {
            throw new IllegalArgumentException("tickMs=" + tickMs + " stallUnreadyTicks=" + stallUnreadyTicks + " stallExitTicks="
                    + stallExitTicks + ": need tickMs >= 1, stallUnreadyTicks >= 1 and stallExitTicks > stallUnreadyTicks");
        }
        this.name = name;
        this.loops = List.copyOf(loops);
        this.tickMs = tickMs;
        this.stallUnreadyTicks = stallUnreadyTicks;
        this.stallExitTicks = stallExitTicks;
        this.halt = halt;
        this.probePending = new AtomicIntegerArray(loops.size());
        this.stalledTicks = new int[loops.size()];
    }

    public void tick() {
        String reason = null;
        for (int i = 0; i < loops.size() && !stopped; i++) {
            EventExecutor loop = loops.get(i);
            if (loop.isShuttingDown()) {
                fatal("event loop " + loopName(i) + " terminated while the node serves");
                return;
            }
            if (probePending.get(i) == 1) {
                stalledTicks[i]++;
                if (stalledTicks[i] >= stallExitTicks) {
                    fatal("event loop " + loopName(i) + " ran no task for " + (long) stalledTicks[i] * tickMs + " ms");
                    return;
                }
                if (stalledTicks[i] >= stallUnreadyTicks && reason == null) {
                    reason = "event loop " + loopName(i) + " ran no task for " + (long) stalledTicks[i] * tickMs + " ms";
                }
                continue;
            }
            stalledTicks[i] = 0;
            probePending.set(i, 1);
            int index = i;
            try {
                loop.execute(() -> probePending.set(index, 0));
            } catch (RejectedExecutionException e) {
                fatal("event loop " + loopName(i) + " refuses tasks while the node serves");
                return;
            }
        }
        stalledReason = reason;
    }

    /** Why the node should get no new clients because of its loops, or null. */
    public String stalledReason() {
        return stalledReason;
    }

    /** The node is stopping: loops that shut down from now on are expected. */
    public void stop() {
        stopped = true;
    }

    private void fatal(String reason) {
        if (!stopped) {
            halt.halt(reason);
        }
    }

    private String loopName(int index) {
        return name + "-" + (index + 1);
    }
}

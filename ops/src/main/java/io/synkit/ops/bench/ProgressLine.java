package io.synkit.ops.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The benchmark's progress: a line per step, with the time since the start and the step's
 * planned length; on a terminal also one line rewritten every second with the step's count and
 * rate (in a log, where {@code \r} does not rewrite, that line is left out).
 */
final class ProgressLine implements LongConsumer, AutoCloseable {

    private final PrintStream out;
    private final boolean terminal;
    private final long startNs = System.nanoTime();
    private final AtomicLong count = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private volatile long stepStartNs = System.nanoTime();
    private volatile String step = "";
    private int stepIndex;

    ProgressLine(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bench-progress");
            thread.setDaemon(true);
            return thread;
        });
        if (terminal) {
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** A step starts; {@code plannedMs} 0 when its length is not known beforehand. */
    synchronized void step(String label, long plannedMs) {
        endLine();
        stepIndex++;
        step = label;
        count.set(0);
        stepStartNs = System.nanoTime();
        out.printf(Locale.ROOT, "[%3ds] step %d: %s%s%n", elapsedS(startNs), stepIndex, label,
                plannedMs > 0 ? String.format(Locale.ROOT, " (%.0f s)", plannedMs / 1000.0) : "");
    }

    /** Prints a result line of the current step. */
    synchronized void result(String line) {
        endLine();
        out.println("        " + line);
    }

    @Override
    public void accept(long done) {
        count.addAndGet(done);
    }

    private boolean lineOpen;

    private synchronized void tick() {
        long seconds = Math.max(1, elapsedS(stepStartNs));
        out.printf(Locale.ROOT, "\r        %s: %d s, %,d done (%,.0f/s)   ", step, seconds, count.get(), count.get() / (double) seconds);
        out.flush();
        lineOpen = true;
    }

    private void endLine() {
        if (lineOpen) {
            out.print("\r" + " ".repeat(100) + "\r");
            lineOpen = false;
        }
    }

    private static long elapsedS(long fromNs) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - fromNs);
    }

    long elapsedS() {
        return elapsedS(startNs);
    }

    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        endLine();
    }
}

package io.synkit.ops.bench;

import io.synkit.ops.cluster.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an interrupted {@code ops bench} (Ctrl-C, SIGTERM) leaves behind: nothing. A JVM shutdown
 * hook, registered for the run and removed at its normal end, kills every process this JVM
 * started (store nodes, Kafka brokers and whatever they started) and then deletes the scratch
 * directory the run created, which holds RocksDB directories, replication logs and Kafka's log
 * segments: gigabytes after a full run. The parts' own hooks kill their processes too, but
 * shutdown hooks run in no order, and the run's {@code finally}, which deletes the scratch at a
 * normal end, does not run when the JVM exits on a signal.
 *
 * <p>The bench's main thread keeps running while the hooks do (a signal does not stop it): it may
 * start one more process or write one more file after the first sweep, so the hook sweeps again
 * until nothing of the run is left or {@link #CLEANUP_MS_MAX} has passed.
 */
final class InterruptCleanup {

    /** The hook's whole time at most: a shutdown that hangs on it would need a second Ctrl-C. */
    static final long CLEANUP_MS_MAX = 15_000;
    /** A killed process's exit is at once; this covers the kernel reaping it on a loaded box. */
    private static final long EXIT_WAIT_MS_MAX = 5_000;

    private final Thread hook;

    private InterruptCleanup(Thread hook) {
        this.hook = hook;
    }

    /**
     * Registers the hook for a run.
     *
     * @param scratch the run's scratch directory, deleted by the hook; null when it is the
     *                caller's own ({@code --dir}) and stays
     */
    static InterruptCleanup register(Path scratch) {
        Thread hook = new Thread(() -> cleanUp(scratch), "bench-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        return new InterruptCleanup(hook);
    }

    /** The run ended normally and cleans up itself. */
    void unregister() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is exiting already: the hook runs anyway.
        }
    }

    private static void cleanUp(Path scratch) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLEANUP_MS_MAX);
        boolean clean = false;
        while (!clean && System.nanoTime() < deadlineNs) {
            boolean stopped = killDescendants(deadlineNs);
            boolean deleted = scratch == null || delete(scratch);
            clean = stopped && deleted;
        }
        if (!clean) {
            System.err.println("bench: interrupted; could not stop every process" + (scratch == null ? "" : " or delete " + scratch)
                    + " within " + CLEANUP_MS_MAX + " ms");
        }
    }

    /** SIGKILL to every process below this JVM; true when none was left to kill. */
    private static boolean killDescendants(long deadlineNs) {
        List<ProcessHandle> running = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        running.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : running) {
            long leftNs = Math.min(deadlineNs - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MS_MAX));
            try {
                process.onExit().get(Math.max(0, leftNs), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running.isEmpty();
    }

    /** Deletes the scratch directory; false when something was still being written into it. */
    private static boolean delete(Path scratch) {
        try {
            Directories.deleteTree(scratch);
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}

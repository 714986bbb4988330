package io.synkit.ops.cluster;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every process one {@link LocalCluster} object started, restarts and rejoins included, so its
 * teardown stops all of them, not only those its pid files name now. Once closed it refuses to
 * start more: a fault step still running on its own thread when a test tears the cluster down
 * must not start a node that nobody will stop. Until {@link #keepOnExit}, a JVM shutdown hook
 * kills them when this JVM exits, so a test or benchmark that fails or is interrupted leaves no
 * process behind.
 */
final class StartedProcesses {

    /** A node start; runs under this object's lock, so it cannot slip past {@link #close}. */
    interface Launch {
        NodeStart launch() throws IOException;
    }

    private final List<ProcessHandle> handles = new CopyOnWriteArrayList<>();
    private boolean closed;
    private Thread exitHook;

    /** Kills every process started here when this JVM exits, until {@link #keepOnExit} or {@link #close}. */
    synchronized void stopOnExit() {
        if (exitHook == null && !closed) {
            exitHook = new Thread(() -> handles.forEach(StartedProcesses::killTree), "local-cluster-exit");
            Runtime.getRuntime().addShutdownHook(exitHook);
        }
    }

    /** The processes outlive this JVM ({@code ops cluster up} starts a cluster and exits). */
    synchronized void keepOnExit() {
        removeExitHook();
    }

    synchronized NodeStart launch(String node, Launch launch) throws IOException {
        if (closed) {
            throw new IllegalStateException("node " + node + " not started: the cluster was taken down");
        }
        handles.removeIf(handle -> !handle.isAlive());
        NodeStart start = launch.launch();
        handles.add(start.handle());
        return start;
    }

    /** Refuses further starts and returns the processes started here that still run. */
    synchronized List<ProcessHandle> close() {
        closed = true;
        removeExitHook();
        return handles.stream().filter(ProcessHandle::isAlive).toList();
    }

    private void removeExitHook() {
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException e) {
                // The JVM is exiting already: the hook runs anyway and kills the processes.
            }
            exitHook = null;
        }
    }

    /** SIGKILL to a process and whatever it started. */
    static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}

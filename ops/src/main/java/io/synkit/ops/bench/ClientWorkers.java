package io.synkit.ops.bench;

import io.synkit.ops.OpsMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client worker processes of {@code ops bench connections} ({@link ConnectionsWorkerCommand}),
 * each its own JVM: one process holds fewer than 20,000 sockets. Their report lines come into one
 * queue; everything else they print goes to {@code worker-<n>.log} in the run's directory.
 * {@link #close()} closes their stdin (a worker then closes its links and exits) and kills any
 * still there after {@link #STOP_GRACE_MS}.
 */
final class ClientWorkers implements AutoCloseable {

    /**
     * JVM options of a worker: its links' Netty state is ~1 KB each, far below this heap. C1 only:
     * a storm runs the clients' reconnect path for the first time, and profiled in a 19,000-client
     * kill storm the workers spent 42 % of their CPU in the C2 compiler, on the cores the cluster
     * under test needs (docs/benchmarks.md, "Where a storm's CPU goes").
     */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");
    private static final long STOP_GRACE_MS = 10_000;
    /** Report lines waiting to be read at most: a sample's notifies and one OPENED per worker. */
    private static final int LINES_QUEUED_MAX = 1_000_000;

    /** One report line of worker {@code worker}. */
    record Line(int worker, String text) {
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>(LINES_QUEUED_MAX);

    /** Starts worker {@code processes.size()} with these {@link ConnectionsWorkerCommand} arguments. */
    void start(Path dir, List<String> workerArgs) throws IOException {
        int worker = processes.size();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OpsMain.class.getName(), "bench", "connections-worker"));
        command.addAll(workerArgs);
        Path log = dir.resolve("worker-" + worker + ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        processes.add(process);
        logs.add(log);
        Thread reader = new Thread(() -> read(worker, process, log), "bench-worker-" + worker + "-out");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(int worker, Process process, Path log) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter other = new PrintWriter(Files.newBufferedWriter(log.resolveSibling("worker-" + worker + ".out")))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("WORKER-")) {
                    lines.put(new Line(worker, line));
                } else {
                    other.println(line);
                    other.flush();
                }
            }
        } catch (IOException e) {
            // The worker's stdout closed with it: its exit is seen by whoever waits on it.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next report line, or null when none came by {@code deadlineNs}; throws if a worker died first. */
    Line next(long deadlineNs) throws IOException, InterruptedException {
        Line line = lines.poll(Math.max(0, Math.min(deadlineNs - System.nanoTime(), TimeUnit.SECONDS.toNanos(1))), TimeUnit.NANOSECONDS);
        if (line == null) {
            for (int w = 0; w < processes.size(); w++) {
                if (!processes.get(w).isAlive() && lines.isEmpty()) {
                    throw new IOException("client worker " + w + " exited " + processes.get(w).exitValue() + "; " + logs.get(w) + ":\n"
                            + Files.readString(logs.get(w)));
                }
            }
        }
        return line;
    }

    int count() {
        return processes.size();
    }

    /** Waits until every worker reported its links open; returns the count per worker. */
    Map<Integer, Long> awaitOpened(long deadlineNs) throws IOException, InterruptedException, TimeoutException {
        Map<Integer, Long> opened = new HashMap<>();
        while (opened.size() < processes.size()) {
            if (System.nanoTime() > deadlineNs) {
                throw new TimeoutException(opened.size() + " of " + processes.size() + " client workers opened their links within --timeout-s");
            }
            Line line = next(deadlineNs);
            if (line == null) {
                continue;
            }
            String[] fields = line.text().split(" ", 2);
            if (fields[0].equals(ConnectionsWorkerCommand.FAILED)) {
                throw new IOException("client worker " + line.worker() + " failed: " + fields[1]);
            }
            if (fields[0].equals(ConnectionsWorkerCommand.OPENED)) {
                opened.put(line.worker(), Long.parseLong(fields[1]));
            }
        }
        return opened;
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // Its stdin is already closed: the worker has exited.
            }
        }
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MS);
        for (Process process : processes) {
            if (!process.waitFor(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}

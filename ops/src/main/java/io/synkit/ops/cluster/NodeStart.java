package io.synkit.ops.cluster;

import io.synkit.runtime.AdminServer;
import io.synkit.runtime.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One start of a local cluster node: its JVM, launched with the cluster id
 * ({@code -D}{@value AdminServer#CLUSTER_ID_PROPERTY}) and its saved command line as its whole
 * configuration, stdout and stderr appended to its log. {@link #awaitAll} waits until each has
 * printed {@code READY} and its admin port answers with its own pid and the cluster id, and fails
 * fast, with what the node wrote, when one exits first.
 *
 * <p>The node gets no {@code SYNKIT_*} variable of the caller's environment: a server reads every
 * one as a config key, so a stray one (a logic key in a shell that starts a store) would make it
 * refuse its config, or quietly change it.
 */
final class NodeStart {

    static final String READY_PREFIX = "READY ";
    private static final int LOG_TAIL_LINES = 20;
    private static final int IDENTITY_TIMEOUT_MS = 2000;
    private static final long POLL_MS = 100;
    private static final List<String> ADMIN_PORT_FLAGS = List.of("--store.admin.port=", "--logic.admin.port=", "--access.admin.port=");

    private final String node;
    private final Process process;
    private final Path log;
    private final long logOffset;
    private final Optional<String> adminAddress;

    private NodeStart(String node, Process process, Path log, long logOffset, Optional<String> adminAddress) {
        this.node = node;
        this.process = process;
        this.log = log;
        this.logOffset = logOffset;
        this.adminAddress = adminAddress;
    }

    /**
     * Launches {@code node} from {@code args} (main class, then flags) on {@code classPath} (the
     * build it runs) and writes its pid file; does not wait.
     */
    static NodeStart launch(Path dir, String node, List<String> args, String clusterId, List<String> jvmOptions, String classPath) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-D" + AdminServer.CLUSTER_ID_PROPERTY + "=" + clusterId);
        command.add("-Djava.io.tmpdir=" + freshTempDir(dir, node));
        command.addAll(List.of("-cp", classPath));
        command.addAll(args);
        Path log = dir.resolve("logs").resolve(node + ".log");
        long offset = LogTail.offset(log);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith(Config.ENV_PREFIX));
        Process process = builder.start();
        Files.writeString(dir.resolve(node + ".pid"), Long.toString(process.pid()));
        return new NodeStart(node, process, log, offset, adminAddress(args));
    }

    /**
     * The node's own temporary directory, emptied before each start. RocksDB unpacks its 15 MB
     * native library into the temporary directory at every start and deletes it only on a normal
     * exit: a node killed with SIGKILL (faults, tests, {@code down}) would leave one in /tmp each time.
     */
    private static Path freshTempDir(Path dir, String node) throws IOException {
        Path tmp = dir.resolve("tmp").resolve(node);
        Directories.deleteTree(tmp);
        Files.createDirectories(tmp);
        return tmp;
    }

    /** The admin address ({@code 127.0.0.1:<port>}) a node's command line gives it; empty without an admin port. */
    static Optional<String> adminAddress(List<String> args) {
        for (String arg : args) {
            for (String flag : ADMIN_PORT_FLAGS) {
                if (arg.startsWith(flag) && Integer.parseInt(arg.substring(flag.length())) > 0) {
                    return Optional.of("127.0.0.1:" + arg.substring(flag.length()));
                }
            }
        }
        return Optional.empty();
    }

    String node() {
        return node;
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Waits until every start is ready; on the first that fails (exits, answers as another process,
     * or is not ready by the deadline) throws naming it, with the last lines of its log.
     */
    static void awaitAll(List<NodeStart> starts, String clusterId, long timeoutMs) throws NodeStartException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<NodeStart> pending = new ArrayList<>(starts);
        while (true) {
            for (NodeStart start : List.copyOf(pending)) {
                if (start.ready(clusterId)) {
                    pending.remove(start);
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0) {
                throw pending.get(0).failure("did not print READY within " + timeoutMs + " ms");
            }
            Thread.sleep(POLL_MS); // each JVM starts on its own schedule; bounded by the deadline
        }
    }

    /** Whether the node printed READY and its admin port answers as this process of this cluster; throws if it never will. */
    private boolean ready(String clusterId) throws NodeStartException {
        boolean printedReady;
        try {
            printedReady = LogTail.linesSince(log, logOffset).stream().anyMatch(line -> line.startsWith(READY_PREFIX));
        } catch (IOException e) {
            throw new NodeStartException(node, "node " + node + ": cannot read " + log + ": " + e.getMessage());
        }
        if (!process.isAlive()) {
            throw failure("exited with code " + process.exitValue() + " while starting");
        }
        if (!printedReady) {
            return false;
        }
        if (adminAddress.isEmpty()) {
            return true;
        }
        Optional<NodeIdentity> answering = NodeIdentity.fetch(adminAddress.get(), IDENTITY_TIMEOUT_MS);
        if (answering.isPresent() && !answering.get().is(process.pid(), clusterId)) {
            throw failure("printed READY, but its admin port " + adminAddress.get() + " is answered by " + answering.get()
                    + ", not by this node (pid " + process.pid() + " of cluster " + clusterId + ")");
        }
        return answering.isPresent();
    }

    private NodeStartException failure(String what) {
        return new NodeStartException(node, "node " + node + " " + what + "; " + LogTail.last(log, logOffset, LOG_TAIL_LINES));
    }
}

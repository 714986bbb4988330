package io.synkit.ops.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fault steps for a {@link io.synkit.sim.run.LoadRun}: each runs on its own thread, so a failing
 * step is recorded here and the test asserts at the end that none failed.
 */
final class FaultActions {

    interface Fault {
        void run() throws Exception;
    }

    private final List<String> failures = new CopyOnWriteArrayList<>();

    Runnable step(Fault fault, String what) {
        return () -> {
            System.out.println("fault: " + what);
            try {
                fault.run();
            } catch (Exception | AssertionError e) {
                failures.add(what + ": " + e);
                e.printStackTrace(System.out);
            }
        };
    }

    void assertNoneFailed() {
        assertTrue(failures.isEmpty(), "fault steps failed: " + failures);
    }

    /** Prints the lines of each process log that tell what happened: errors, role changes, stops, snapshots. */
    static void dumpLogs(Path clusterDir) throws IOException {
        try (var logs = Files.list(clusterDir.resolve("logs"))) {
            for (Path log : logs.toList()) {
                Files.readAllLines(log).stream()
                        .filter(line -> line.contains("ERROR") || line.contains("role changed") || line.contains("stopped")
                                || line.contains("snapshot") || line.contains("log reset"))
                        .limit(40).forEach(line -> System.out.println(log.getFileName() + ": " + line));
            }
        }
    }
}

package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No process of a local cluster outlives its teardown (issue 15: a replica wiped and restarted
 * by a fault step that was still running when the test tore the cluster down ran on for an hour):
 * down stops every process the cluster object started, restarts included, and refuses later
 * starts; a cluster started by a JVM is stopped when that JVM exits. One SET of 3 replicas each.
 */
class LocalClusterTeardownTest {

    private static final long EXIT_TIMEOUT_S = 120;
    /** SIGKILL takes effect at once; this only covers the kernel reaping the orphans. */
    private static final long STOP_TIMEOUT_S = 10;

    @TempDir
    Path dir;

    @AfterEach
    void noProcessLeft() throws Exception {
        Leftovers.kill(dir);
    }

    @Test
    void downStopsRestartedAndRejoinedNodesAndRefusesLaterStarts() throws Exception {
        LocalCluster cluster = LocalCluster.upSingleSet(dir, FreePorts.base(6), List.of());
        List<ProcessHandle> started = new ArrayList<>();
        for (String node : cluster.storeNodes()) {
            started.add(cluster.process(node).orElseThrow());
        }
        cluster.kill("s1-r0");
        cluster.start("s1-r0");
        started.add(cluster.process("s1-r0").orElseThrow());
        cluster.wipe("s1-r1");
        started.add(cluster.process("s1-r1").orElseThrow());

        cluster.down();

        for (ProcessHandle process : started) {
            assertFalse(process.isAlive(), "pid " + process.pid() + " stopped");
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> cluster.start("s1-r2"));
        assertTrue(refused.getMessage().contains("taken down"), refused.getMessage());
        assertEquals(List.of(), Leftovers.running(dir));
    }

    @Test
    void aClusterStartedByAJvmIsStoppedWhenThatJvmExits() throws Exception {
        Process starter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), UpSingleSetAndExit.class.getName(), dir.toString(),
                Integer.toString(FreePorts.base(6))).redirectErrorStream(true).start();
        try {
            assertTrue(starter.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS), "the starting JVM exits");
            String output = new String(starter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, starter.exitValue(), output);
            assertTrue(Files.exists(dir.resolve("s1-r2.pid")), output);

            for (String node : List.of("s1-r0", "s1-r1", "s1-r2")) {
                long pid = Long.parseLong(Files.readString(dir.resolve(node + ".pid")).trim());
                Optional<ProcessHandle> process = ProcessHandle.of(pid);
                if (process.isPresent()) {
                    try {
                        process.get().onExit().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        fail(node + " (pid " + pid + ") still runs " + STOP_TIMEOUT_S + " s after the JVM that started it exited");
                    }
                }
            }
        } finally {
            starter.destroyForcibly().waitFor();
        }
    }

    /** Starts one SET in {@code args[0]} from port {@code args[1]} and exits without taking it down. */
    static final class UpSingleSetAndExit {
        public static void main(String[] args) throws Exception {
            LocalCluster.upSingleSet(Path.of(args[0]), Integer.parseInt(args[1]), List.of());
            System.out.println("up; exiting");
        }
    }
}

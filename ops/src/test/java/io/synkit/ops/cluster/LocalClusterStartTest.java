package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting nodes of a local cluster on a machine where other processes hold ports: a node that
 * cannot start makes the start fail at once, naming the node and showing what it wrote, and
 * never leaves the tool talking to whatever answers on the port. One SET of 3 replicas each.
 */
class LocalClusterStartTest {

    private static final long CLI_TIMEOUT_S = 180;

    @TempDir
    Path dir;

    @AfterEach
    void noProcessLeft() throws Exception {
        Leftovers.kill(dir);
    }

    @Test
    void upFailsFastNamingATakenPortAndLeavesNoProcess() throws Exception {
        int basePort = FreePorts.base(6);
        int takenPort = basePort + 3; // s1-r1's admin port
        try (ServerSocket foreign = new ServerSocket(takenPort, 1, InetAddress.getLoopbackAddress())) {
            NodeStartException failure = assertThrows(NodeStartException.class, () -> LocalCluster.upSingleSet(dir, basePort, List.of()));

            assertEquals("s1-r1", failure.node(), failure.getMessage());
            assertTrue(failure.getMessage().contains("node s1-r1 exited with code 1 while starting"), failure.getMessage());
            assertTrue(failure.getMessage().contains("store: cannot listen on 127.0.0.1:" + takenPort + " (store.admin.port): Address already in use"),
                    failure.getMessage());
            assertEquals(List.of(), Leftovers.running(dir), "the replicas that did start are stopped");
        }
    }

    @Test
    void restartOfANodeThatDiesAtStartExitsNonZeroWithItsLogTail() throws Exception {
        int basePort = FreePorts.base(6);
        LocalCluster cluster = LocalCluster.upSingleSet(dir, basePort, List.of());
        try {
            cluster.kill("s1-r0");
            try (ServerSocket foreign = new ServerSocket(basePort, 1, InetAddress.getLoopbackAddress())) {
                CapturedCli restart = CapturedCli.run("cluster", "node", "--dir", dir.toString(), "restart", "s1-r0");

                assertEquals(1, restart.exitCode(), restart.out() + restart.err());
                assertTrue(restart.err().contains("restart s1-r0 failed: node s1-r0 exited with code 1 while starting"), restart.err());
                assertTrue(restart.err().contains("store: cannot listen on 127.0.0.1:" + basePort + " (store.port): Address already in use"), restart.err());
                assertTrue(cluster.process("s1-r0").isEmpty(), "s1-r0 is not running");
            }
        } finally {
            cluster.down();
        }
    }

    @Test
    void restartedNodeIgnoresStraySynkitVariablesOfTheCallersEnvironment() throws Exception {
        LocalCluster cluster = LocalCluster.upSingleSet(dir, FreePorts.base(6), List.of());
        try {
            // A logic key in the shell's environment: a store that read it would refuse its config.
            Process restart = opsCli(List.of("cluster", "node", "--dir", dir.toString(), "restart", "s1-r1"), "SYNKIT_LOGIC_PORT", "7200");
            try {
                assertTrue(restart.waitFor(CLI_TIMEOUT_S, TimeUnit.SECONDS), "ops exits");
                String output = new String(restart.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertEquals(0, restart.exitValue(), output);
                assertTrue(output.contains("restart s1-r1: done"), output);
                assertTrue(cluster.process("s1-r1").isPresent(), "s1-r1 runs after its restart: " + output);
            } finally {
                restart.destroyForcibly().waitFor();
            }
        } finally {
            cluster.down();
        }
    }

    /** The ops CLI in a JVM of its own, with one extra environment variable. */
    private static Process opsCli(List<String> args, String envName, String envValue) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.synkit.ops.OpsMain"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(envName, envValue);
        return builder.start();
    }
}

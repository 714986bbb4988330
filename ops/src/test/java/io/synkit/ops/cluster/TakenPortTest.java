package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose port another process holds exits 1 with one line naming the port and its key,
 * whichever of its listeners it is (RPC, admin HTTP, client). Each case runs the server's main in
 * a JVM of its own, with the port held by this one.
 */
class TakenPortTest {

    private static final long EXIT_TIMEOUT_S = 60;

    @TempDir
    Path dir;

    @Test
    void storeOnATakenRpcPortExitsWithOneLineNamingThePort() throws Exception {
        try (ServerSocket taken = listen()) {
            int port = taken.getLocalPort();
            assertExitsNaming(List.of("io.synkit.store.StoreServerMain", "--store.data.dir=" + dir.resolve("s"), "--store.port=" + port),
                    "store: cannot listen on 127.0.0.1:" + port + " (store.port): Address already in use");
        }
    }

    @Test
    void logicOnATakenAdminPortExitsWithOneLineNamingThePort() throws Exception {
        try (ServerSocket taken = listen()) {
            int port = taken.getLocalPort();
            assertExitsNaming(List.of("io.synkit.logic.LogicServerMain", "--logic.store.sets=s1=127.0.0.1:1", "--logic.port=0", "--logic.admin.port=" + port),
                    "logic: cannot listen on 127.0.0.1:" + port + " (logic.admin.port): Address already in use");
        }
    }

    @Test
    void accessOnATakenClientPortExitsWithOneLineNamingThePort() throws Exception {
        try (ServerSocket taken = listen()) {
            int port = taken.getLocalPort();
            assertExitsNaming(List.of("io.synkit.access.AccessServerMain", "--access.logic.nodes=127.0.0.1:1", "--access.port=" + port,
                            "--access.push.port=0"),
                    "access: cannot listen on 127.0.0.1:" + port + " (access.port): Address already in use");
        }
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static void assertExitsNaming(List<String> mainAndArgs, String expectedLine) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS), "the server exits: " + mainAndArgs);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = output.lines().filter(line -> !line.contains("\"level\":\"INFO\"")).toList();
            assertEquals(List.of(expectedLine), lines, "all output:\n" + output);
            assertEquals(1, process.exitValue(), output);
        } finally {
            process.destroyForcibly().waitFor();
        }
    }
}

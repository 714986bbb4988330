package io.synkit.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.ops.cluster.CapturedCli;
import io.synkit.ops.cluster.FreePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ops bench connections} at a tiny scale: 2 access nodes, 2 client workers, 300 links. No
 * figure is judged (a shared 2-core box gives any); what must hold is that every link was opened
 * and counted on an access node, both nodes hold a share, heap per link and the notify latency of
 * every sampled link are reported, and no process is left behind. With {@code --storm}: 200 links
 * on the first of 2 access nodes, which is drained or killed; every client must come back on the
 * other and sync, every storm message must be delivered, and the figures must be reported.
 */
class ConnectionsBenchCommandTest {

    private static final Pattern NODE_ROW = Pattern.compile("\\| (access(?:-\\d+)?) \\| ([\\d,]+) \\| ([\\d,-]+) B \\|");

    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() {
        leftovers().forEach(process -> {
            process.destroyForcibly();
            process.onExit().join();
        });
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void tinyRunCountsEveryLinkOnItsAccessNodeTimesEveryNotifyAndStopsEveryProcess() throws Exception {
        int basePort = FreePorts.base(ConnectionsBenchCommand.portCount(1, 2));
        CapturedCli run = CapturedCli.run("bench", "connections", "--links", "300", "--access-nodes", "2", "--workers", "2", "--notify-sample", "20",
                "--notify-rate-per-s", "50", "--base-port", Integer.toString(basePort), "--dir", dir.resolve("scratch").toString(), "--timeout-s", "150");
        System.out.println(run.out());
        System.err.println(run.err());
        assertEquals(0, run.exitCode(), run.err());

        Matcher rows = NODE_ROW.matcher(run.out());
        long links = 0;
        int nodes = 0;
        while (rows.find()) {
            long nodeLinks = Long.parseLong(rows.group(2).replace(",", ""));
            assertEquals(150, nodeLinks, "links spread evenly over the access nodes: " + rows.group());
            assertTrue(Long.parseLong(rows.group(3).replace(",", "")) > 0, "heap per link reported: " + rows.group());
            links += nodeLinks;
            nodes++;
        }
        assertEquals(2, nodes, "a row per access node");
        assertEquals(300, links);
        assertTrue(run.out().contains("links in all: 300 of 300"), run.out());
        assertTrue(run.out().contains("notify latency to idle links (20 sent at 50/s, 0 without notify): p50 "), run.out());
        assertEquals(List.of(), leftovers(), "processes left running");
    }

    @ParameterizedTest
    @ValueSource(strings = {"drain", "kill"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyClientOfANodeThatGoesAwayComesBackSyncedWithNothingLost(String storm) throws Exception {
        int basePort = FreePorts.base(ConnectionsBenchCommand.portCount(1, 2));
        CapturedCli run = CapturedCli.run("bench", "connections", "--links", "200", "--access-nodes", "2", "--workers", "2", "--storm", storm,
                "--storm-messages", "20", "--storm-wait-s", "60", "--storm-warmup-logins", "100", "--base-port", Integer.toString(basePort), "--dir", dir.resolve("scratch").toString(),
                "--timeout-s", "100");
        System.out.println(run.out());
        System.err.println(run.err());
        assertEquals(0, run.exitCode(), run.err());

        assertTrue(run.out().contains("access: 200 links"), "the first node filled: " + run.out());
        assertTrue(run.out().contains("access-2: 0 links"), "the other node listed, empty: " + run.out());
        assertTrue(run.out().contains("access-2 warmed up: 100 logins in "), "the survivor warmed before the storm: " + run.out());
        assertTrue(run.out().contains("storm: " + storm + " of the node holding 200 links, load average "), run.out());
        assertTrue(run.out().contains("back and synced: 200 of 200 clients; storm messages acked: 20 of 20, delivered: 20 of 20 (lost 0)"), run.out());
        assertTrue(Pattern.compile("all back and synced \\(messages included\\) after [\\d.]+ s").matcher(run.out()).find(), run.out());
        assertTrue(Pattern.compile("attempts: [\\d,]+ in all, at most \\d+ by one client, at most \\d+ by one client within 1 s").matcher(run.out()).find(),
                run.out());
        assertTrue(run.out().contains("auth latency of the logins that brought them back: p50 "), run.out());
        assertTrue(run.out().contains("Auths at access-2 waited for its event loops (link accepted to Auth read, synkit_access_auth_wait), "), run.out());
        assertEquals(200, Pattern.compile("back in second \\d+ of the storm: ([\\d,]+) clients, [\\d.]+ attempts each, auth latency p50 [\\d.]+ ms,"
                + " p99 [\\d.]+ ms").matcher(run.out()).results().mapToLong(second -> Long.parseLong(second.group(1).replace(",", ""))).sum(),
                "every comeback counted in the second it came back in: " + run.out());
        assertEquals(2, Pattern.compile("a client worker's own event loops ran their work late by p50 [\\d.]+ ms, p99 [\\d.]+ ms").matcher(run.out())
                .results().count(), "each of the 2 workers tells its own lag: " + run.out());
        Matcher atNode = Pattern.compile("auth latency at access-2 \\(Auth read to AuthResponse written, synkit_access_login\\), ([\\d,]+) logins: p50 <= ")
                .matcher(run.out());
        assertTrue(atNode.find(), run.out());
        assertTrue(Long.parseLong(atNode.group(1).replace(",", "")) >= 200, "the survivor timed every storm login: " + atNode.group());
        assertEquals(List.of(), leftovers(), "processes left running");
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() throws Exception {
        int basePort = FreePorts.base(ConnectionsBenchCommand.portCount(1, 2));
        int port = basePort + 3;
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            CapturedCli run = CapturedCli.run("bench", "connections", "--links", "300", "--access-nodes", "2", "--workers", "2", "--notify-sample", "20",
                    "--base-port", Integer.toString(basePort), "--dir", dir.resolve("scratch").toString());
            assertEquals(1, run.exitCode());
            assertTrue(run.err().startsWith("bench connections: port " + port + " is taken on 127.0.0.1"), run.err());
            assertTrue(!Files.exists(dir.resolve("scratch")), "nothing started, nothing laid out");
        }
    }

    /** Processes this JVM started that still run: the cluster's nodes and the client workers. */
    private static List<ProcessHandle> leftovers() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(process -> process.info().commandLine()
                .map(line -> line.contains("connections-worker") || line.contains("synkit")).orElse(false)).toList();
    }
}

package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.runtime.Config;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A1: /health/ready says ready only while a new client can log in (the node logs in to itself to know). */
class ReadinessTest {

    private LogicStub logic;
    private AccessServer server;

    @BeforeEach
    void start() throws Exception {
        logic = new LogicStub();
        // The background probe runs once at start; the test runs the others when it wants them.
        server = startNode();
    }

    private AccessServer startNode() throws Exception {
        return new AccessServer(AccessConfig.from(Config.of(Map.of("access.port", "0", "access.push.port", "0", "access.admin.port", "0",
                "access.logic.nodes", logic.hostPort(), "access.ready.probe.interval.ms", "3600000"))), Clock.SYSTEM, reason -> {
                    throw new AssertionError("the node would have halted: " + reason);
                }).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        logic.close();
    }

    @Test
    void readyWhileALoginSucceeds() throws Exception {
        assertNull(server.probeReadiness());
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
    }

    @Test
    void notReadyWhileLogicRefusesToRecordRoutesAndReadyAgainAfter() throws Exception {
        logic.failure = new RpcException(ErrorCode.UNAVAILABLE, "no store primary");
        String reason = server.probeReadiness();
        assertTrue(reason != null && reason.startsWith("auth probe failed: UNAVAILABLE cannot log the device in"), reason);
        HttpResponse<String> notReady = get("/health/ready");
        assertEquals(503, notReady.statusCode());
        assertTrue(notReady.body().contains("auth probe failed"), notReady.body());
        assertTrue(server.metrics().counter("synkit_access_ready_probe_failed").count() >= 1);

        logic.failure = null;
        assertNull(server.probeReadiness());
        assertEquals(200, get("/health/ready").statusCode());
    }

    @Test
    void notReadyWhileDraining() throws Exception {
        assertNull(server.probeReadiness());
        server.drain();
        assertEquals("draining", server.notReadyReason());
        assertEquals(503, get("/health/ready").statusCode());
    }

    @Test
    void eachNodesProbeLogsInAsADeviceOfItsOwnSoTwoNodesProbesNeverRevokeEachOthersTokens() throws Exception {
        AccessServer other = startNode();
        try {
            assertNull(server.probeReadiness());
            assertNull(other.probeReadiness());

            // Each node's probe at start and the two above: as many devices as nodes, never one shared.
            Set<String> devices = new HashSet<>(logic.loginDevices);
            assertEquals(2, devices.size(), "one device of the probe user per node: " + devices);
            assertTrue(devices.stream().allMatch(device -> device.startsWith("ready-probe-")), devices.toString());
        } finally {
            other.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}

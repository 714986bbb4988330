package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.synkit.runtime.AdminServer;
import io.synkit.runtime.BuildInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ops cluster status} for logic and access nodes: their admin status line, read for state and build. */
class ServerStatusTest {

    @Test
    void aNodesStatusLineGivesItsRoleStateAndBuild() throws Exception {
        try (AdminServer admin = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null,
                () -> "role=logic address=127.0.0.1:1 state=waiting reason=\"no slot map yet: meta SET version=0\"")) {
            ServerStatus status = ServerStatus.fetch("logic", "127.0.0.1:" + admin.address().getPort(), 5000);

            BuildInfo build = BuildInfo.current();
            assertEquals(build.version(), status.pairs().get("version"));
            assertEquals("no slot map yet: meta SET version=0", status.pairs().get("reason"), "a quoted value is one value");
            String line = ServerStatus.format(List.of(status)).get(1);
            assertTrue(line.matches("logic\\s+logic\\s+waiting\\s+" + build.version().replace(".", "\\.") + "/" + build.protocolVersion()
                    + "\\s+no slot map yet: meta SET version=0"), line);
        }
    }

    @Test
    void aNodeThatDoesNotAnswerSaysSo() {
        ServerStatus status = ServerStatus.fetch("access", "127.0.0.1:1", 1000);

        assertEquals(Map.of(), status.pairs());
        assertTrue(ServerStatus.format(List.of(status)).get(1).startsWith("access   NO-ANSWER"), status.detail());
    }
}

package io.synkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AdminServerTest {

    @Test
    void statusAndMetricsNameTheBuildAndTheProtocolVersion() throws IOException {
        BuildInfo build = BuildInfo.current();
        try (AdminServer admin = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null, () -> "role=test state=serving")) {
            String status = get(admin, "/status");
            String metrics = get(admin, "/metrics");

            assertTrue(status.startsWith("role=test state=serving version=" + build.version() + " protocol=" + build.protocolVersion() + " pid="), status);
            assertTrue(metrics.contains("synkit_build_info{protocol=\"" + build.protocolVersion() + "\",version=\"" + build.version() + "\"} 1\n"), metrics);
        }
    }

    @Test
    void theBuildVersionIsTheOneTheBuildWrote() {
        // Filtered from the Maven project: a version that still reads ${project.version} means the filtering broke.
        assertTrue(BuildInfo.current().version().matches("\\d+\\.\\d+\\.\\d+.*"), BuildInfo.current().version());
        assertEquals(1, BuildInfo.current().protocolVersion());
    }

    @Test
    void logLevelsAreReadAndChangedWhileTheProcessRuns() throws IOException {
        try (AdminServer admin = new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> null, () -> "role=test")) {
            try {
                assertEquals(200, post(admin, "/log/level?logger=io.synkit.logic&level=debug"));
                assertTrue(get(admin, "/log/level").contains("io.synkit.logic=DEBUG"));
                assertTrue(LoggerFactory.getLogger("io.synkit.logic.send.SendPath").isDebugEnabled(), "the change took effect");
                assertEquals(400, post(admin, "/log/level?logger=io.synkit.logic&level=loud"));
                assertEquals(400, post(admin, "/log/level?logger=../etc&level=info"));
            } finally {
                post(admin, "/log/level?logger=io.synkit.logic&level=info");
            }
        }
    }

    private static int post(AdminServer admin, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + admin.address().getPort() + path).toURL().openConnection();
        connection.setRequestMethod("POST");
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    private static String get(AdminServer admin, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + admin.address().getPort() + path).toURL().openConnection();
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }
}

package io.synkit.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP port every server has: {@code GET /metrics} (Prometheus text),
 * {@code /health/live} (the process runs) and {@code /health/ready} (it should get traffic; 503
 * with the reason otherwise), plus {@code /status} (one line of key=value state for ops). The
 * status line ends with the process's build ({@code version}, {@code protocol}: {@link BuildInfo},
 * also the metric {@code synkit_build_info}; readiness is the metric {@code synkit_ready} too), its {@code pid} and, when it was started with
 * {@code -D}{@value #CLUSTER_ID_PROPERTY}, its {@code cluster}: a tool that started the process
 * checks both, so it never takes another process on the same port for its own.
 */
public final class AdminServer implements AutoCloseable {

    /**
     * JVM system property naming the cluster the process was started in ({@code ops cluster} sets
     * it). A launch label, not a server setting: no config key or {@code SYNKIT_*} variable can set it.
     */
    public static final String CLUSTER_ID_PROPERTY = "synkit.cluster.id";

    private final HttpServer server;

    /**
     * @param readiness returns null when ready, or the reason it is not
     * @param status one line of key=value pairs describing the server's state
     */
    public AdminServer(InetSocketAddress bind, PrometheusMeterRegistry registry, Supplier<String> readiness, Supplier<String> status) throws IOException {
        try {
            server = HttpServer.create(bind, 16);
        } catch (BindException e) {
            throw new ListenException(bind, e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "admin-http");
            thread.setDaemon(true);
            return thread;
        }));
        BuildInfo build = BuildInfo.current();
        Gauge.builder("synkit.build.info", () -> 1).description("The build this process runs (value 1; the labels say which)")
                .tag("version", build.version()).tag("protocol", Integer.toString(build.protocolVersion())).register(registry);
        Gauge.builder("synkit.ready", () -> readiness.get() == null ? 1 : 0).description("1 while /health/ready answers 200").register(registry);
        server.createContext("/metrics", exchange -> reply(exchange, 200, registry.scrape()));
        server.createContext("/health/live", exchange -> reply(exchange, 200, "live\n"));
        server.createContext("/health/ready", exchange -> {
            String notReady = readiness.get();
            reply(exchange, notReady == null ? 200 : 503, notReady == null ? "ready\n" : "not ready: " + notReady + "\n");
        });
        String clusterId = System.getProperty(CLUSTER_ID_PROPERTY);
        String identity = " " + build.statusPairs() + " pid=" + ProcessHandle.current().pid() + (clusterId == null ? "" : " cluster=" + clusterId);
        server.createContext("/status", exchange -> reply(exchange, 200, status.get() + identity + "\n"));
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package io.synkit.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.synkit.runtime.log.LogLevels;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP port every server has: {@code GET /metrics} (Prometheus text),
 * {@code /health/live} (the process runs) and {@code /health/ready} (it should get traffic; 503
 * with the reason otherwise), {@code /log/level} (read and change log levels while it runs), plus {@code /status} (one line of key=value state for ops). The
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
        server.createContext("/log/level", AdminServer::logLevel);
        String clusterId = System.getProperty(CLUSTER_ID_PROPERTY);
        String identity = " " + build.statusPairs() + " pid=" + ProcessHandle.current().pid() + (clusterId == null ? "" : " cluster=" + clusterId);
        server.createContext("/status", exchange -> reply(exchange, 200, status.get() + identity + "\n"));
        server.start();
    }

    /**
     * {@code GET /log/level}: the levels set ({@code root=INFO io.synkit.store=DEBUG});
     * {@code POST /log/level?logger=io.synkit.store&level=debug} sets one (logger {@code root}: the
     * default of all others) and answers the levels; 400 naming a bad parameter.
     */
    private static void logLevel(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            reply(exchange, 200, LogLevels.describe() + "\n");
            return;
        }
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                query.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        String logger = query.getOrDefault("logger", "");
        if (!logger.matches("root|[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*")) {
            reply(exchange, 400, "logger '" + logger + "' must be root or a logger name such as io.synkit.store\n");
            return;
        }
        try {
            LogLevels.set(logger, LogLevels.parse(query.getOrDefault("level", "")));
        } catch (IllegalArgumentException e) {
            reply(exchange, 400, e.getMessage() + "\n");
            return;
        }
        LoggerFactory.getLogger(AdminServer.class).info("log level changed logger={} level={}", logger, query.get("level"));
        reply(exchange, 200, LogLevels.describe() + "\n");
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

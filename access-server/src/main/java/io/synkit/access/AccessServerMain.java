package io.synkit.access;

import io.synkit.access.health.Halt;
import io.synkit.access.server.AccessConfig;
import io.synkit.access.server.AccessServer;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import io.synkit.runtime.StartFailure;
import java.util.function.IntFunction;

/**
 * Starts one access node: {@code java -jar access-server-all.jar --access.logic.nodes=127.0.0.1:7200}.
 * Exits 2 on a config error, 1 when it cannot start (see {@link StartFailure}).
 * A JVM error in any thread the node does not catch for halts the process with status
 * {@link Halt#EXIT_STATUS} (see {@link Halt}); run it with {@code -XX:+ExitOnOutOfMemoryError}
 * too, which also covers the threads that catch everything (see docs/operations.md).
 */
public final class AccessServerMain {

    private AccessServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread.setDefaultUncaughtExceptionHandler(Halt.PROCESS.uncaughtHandler());
        AccessConfig config;
        try {
            config = AccessConfig.from(Config.load(args, System.getenv()));
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        AccessServer server;
        try {
            server = new AccessServer(config).start();
        } catch (Exception e) {
            StartFailure.exit("access", e, portKey(config));
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.drain();
            server.close();
        }, "access-shutdown"));
        System.out.println("READY access " + server.clientHostPort());
        Thread.currentThread().join();
    }

    private static IntFunction<String> portKey(AccessConfig config) {
        return port -> port == config.port() ? "access.port" : port == config.pushPort() ? "access.push.port"
                : port == config.webSocketPort() ? "access.ws.port" : "access.admin.port";
    }
}

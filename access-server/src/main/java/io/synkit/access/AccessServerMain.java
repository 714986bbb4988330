package io.synkit.access;

import io.synkit.access.health.Halt;
import io.synkit.access.server.AccessConfig;
import io.synkit.access.server.AccessServer;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;

/**
 * Starts one access node: {@code java -jar access-server-all.jar --access.logic.nodes=127.0.0.1:7200}.
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
        AccessServer server = new AccessServer(config).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.drain();
            server.close();
        }, "access-shutdown"));
        System.out.println("READY access " + server.clientHostPort());
        Thread.currentThread().join();
    }
}

package io.synkit.store;

import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import io.synkit.runtime.StartFailure;
import io.synkit.store.server.StoreConfig;
import io.synkit.store.server.StoreServer;

/**
 * Starts one store replica: {@code java -jar store-server-all.jar --store.data.dir=... [--config=file]}.
 * Exits 2 on a config error, 1 when it cannot start (see {@link StartFailure}).
 */
public final class StoreServerMain {

    private StoreServerMain() {
    }

    public static void main(String[] args) throws Exception {
        StoreConfig config;
        try {
            config = StoreConfig.from(Config.load(args, System.getenv()));
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        StoreServer server;
        try {
            server = new StoreServer(config).start();
        } catch (Exception e) {
            StartFailure.exit("store", e, port -> port == config.port() ? "store.port" : "store.admin.port");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "store-shutdown"));
        System.out.println("READY store " + server.hostPort());
        Thread.currentThread().join();
    }
}

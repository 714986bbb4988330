package io.synkit.logic;

import io.synkit.logic.server.LogicConfig;
import io.synkit.logic.server.LogicServer;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import io.synkit.runtime.StartFailure;

/**
 * Starts one logic node: {@code java -jar logic-server-all.jar --logic.store.sets=s1=127.0.0.1:7300}.
 * Exits 2 on a config error, 1 when it cannot start (see {@link StartFailure}).
 */
public final class LogicServerMain {

    private LogicServerMain() {
    }

    public static void main(String[] args) throws Exception {
        LogicConfig config;
        try {
            config = LogicConfig.from(Config.load(args, System.getenv()));
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LogicServer server;
        try {
            server = new LogicServer(config).start();
        } catch (Exception e) {
            StartFailure.exit("logic", e, port -> port == config.port() ? "logic.port" : "logic.admin.port");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "logic-shutdown"));
        System.out.println("READY logic " + server.hostPort());
        Thread.currentThread().join();
    }
}

package io.synkit.logic;

import io.synkit.logic.server.LogicConfig;
import io.synkit.logic.server.LogicServer;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;

/** Starts one logic node: {@code java -jar logic-server-all.jar --logic.store.sets=s1=127.0.0.1:7300}. */
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
        LogicServer server = new LogicServer(config).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "logic-shutdown"));
        System.out.println("READY logic " + server.hostPort());
        Thread.currentThread().join();
    }
}

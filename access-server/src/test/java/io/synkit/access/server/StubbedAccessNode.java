package io.synkit.access.server;

import io.synkit.runtime.Clock;
import io.synkit.runtime.Config;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One access node on real sockets and free ports in front of a {@link LogicStub}, for tests of
 * the node's own behaviour: a halt the node would make fails the test instead, and closing it
 * closes every raw client opened through it, the node, then the stub.
 */
final class StubbedAccessNode implements AutoCloseable {

    final LogicStub logic;
    final AccessServer server;
    private final List<RawClient> clients = new ArrayList<>();

    private StubbedAccessNode(LogicStub logic, AccessServer server) {
        this.logic = logic;
        this.server = server;
    }

    /** A node with {@code settings} over the defaults (free ports, the stub as its logic node). */
    static StubbedAccessNode start(Map<String, String> settings) throws Exception {
        return start(logic -> { }, settings);
    }

    /** As {@link #start(Map)}, with {@code configureLogic} applied to the stub before the node starts. */
    static StubbedAccessNode start(Consumer<LogicStub> configureLogic, Map<String, String> settings) throws Exception {
        LogicStub logic = new LogicStub();
        try {
            configureLogic.accept(logic);
            Map<String, String> config = new HashMap<>(Map.of("access.port", "0", "access.push.port", "0", "access.logic.nodes", logic.hostPort()));
            config.putAll(settings);
            AccessServer server = new AccessServer(AccessConfig.from(Config.of(config)), Clock.SYSTEM, reason -> {
                throw new AssertionError("the node would have halted: " + reason);
            }).start();
            return new StubbedAccessNode(logic, server);
        } catch (Exception | Error e) {
            logic.close();
            throw e;
        }
    }

    /** Settings from alternating keys and values. */
    static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    /** A raw client connected to the node's client port, closed with the node. */
    RawClient connect(int readTimeoutMs) throws Exception {
        RawClient client = new RawClient(server.clientAddress(), readTimeoutMs);
        clients.add(client);
        return client;
    }

    List<RawClient> clients() {
        return clients;
    }

    @Override
    public void close() throws Exception {
        for (RawClient client : clients) {
            client.close();
        }
        server.close();
        logic.close();
    }
}

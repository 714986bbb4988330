package io.synkit.access.session;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions of one access node, by connection id (how pushes address them). */
public final class SessionRegistry {

    private final Map<Long, ClientSession> byConnId = new ConcurrentHashMap<>();
    private final Map<String, ClientSession> byDevice = new ConcurrentHashMap<>();

    /** Adds a session; returns the same device's previous session on this node, if any. */
    public ClientSession add(ClientSession session) {
        byConnId.put(session.connId(), session);
        ClientSession previous = byDevice.put(deviceKey(session.userId(), session.deviceId()), session);
        return previous == session ? null : previous;
    }

    public void remove(ClientSession session) {
        byConnId.remove(session.connId(), session);
        byDevice.remove(deviceKey(session.userId(), session.deviceId()), session);
    }

    public ClientSession byConnId(long connId) {
        return byConnId.get(connId);
    }

    public Collection<ClientSession> all() {
        return byConnId.values();
    }

    public int size() {
        return byConnId.size();
    }

    private static String deviceKey(long userId, String deviceId) {
        return userId + "/" + deviceId;
    }
}

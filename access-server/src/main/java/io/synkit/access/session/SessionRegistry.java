package io.synkit.access.session;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of one access node, by device: pushes find a device's session here (and check it
 * is still the connection their route names), and a device that authenticates again replaces its
 * older session. One map entry per session: the device key is the session's own.
 */
public final class SessionRegistry {

    private final Map<DeviceKey, ClientSession> byDevice = new ConcurrentHashMap<>();

    /** Adds a session; returns the same device's previous session on this node, if any. */
    public ClientSession add(ClientSession session) {
        ClientSession previous = byDevice.put(session.device(), session);
        return previous == session ? null : previous;
    }

    /** Removes the session if it is still its device's (a replaced session is gone already). */
    public void remove(ClientSession session) {
        byDevice.remove(session.device(), session);
    }

    public ClientSession get(long userId, String deviceId) {
        return byDevice.get(new DeviceKey(userId, deviceId));
    }

    public Collection<ClientSession> all() {
        return byDevice.values();
    }

    public int size() {
        return byDevice.size();
    }
}

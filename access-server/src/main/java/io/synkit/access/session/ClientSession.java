package io.synkit.access.session;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Notify;

/**
 * An authenticated client link as the rest of the node sees it: whose it is, which connection it
 * is, and what other threads may ask of it. Every method may be called from any thread; the link
 * carries the request over to its own event loop.
 */
public interface ClientSession {

    DeviceKey device();

    /** The connection id written into this device's route, so a push can tell a stale route. */
    long connId();

    /** Whether the link heard from its client within its presence window (one and a half heartbeat intervals): soft state. */
    boolean present();

    /** Raises the inbox head this link knows of and pushes the notify if the link keeps up (see the link's class comment). */
    void push(Notify notify);

    /** Tells the client to reconnect after {@code retryAfterMs}; the link stays open until the client closes it. */
    void goAway(String reason, int retryAfterMs);

    /** Sends GoAway with {@code code} (what the client must do before it reconnects) and closes the link at once. */
    void goAwayAndClose(ErrorCode code, String reason);

    void close();
}

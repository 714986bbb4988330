package io.synkit.sim.client;

import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.Notify;

/** Server pushes and link loss, delivered on the client's event loop. */
public interface ClientListener {

    void onNotify(Notify notify);

    void onGoAway(GoAway goAway);

    /** The link is gone (closed by either side or failed); every pending request has failed. */
    void onClosed();
}

package io.synkit.sim.client;

import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.Notify;

/** Server pushes and link loss, delivered on the client's event loop. */
public interface ClientListener {

    /** Ignores every push and the link's loss: for a client that only makes requests and reads their answers. */
    ClientListener IGNORING = new ClientListener() {
        @Override
        public void onNotify(Notify notify) {
        }

        @Override
        public void onGoAway(GoAway goAway) {
        }

        @Override
        public void onClosed() {
        }
    };

    void onNotify(Notify notify);

    void onGoAway(GoAway goAway);

    /** The link is gone (closed by either side or failed); every pending request has failed. */
    void onClosed();
}

package io.synkit.access.link;

/**
 * Whether this node is leaving (a drain for a restart has begun). Links of a leaving node close
 * without writing the removal of their device's route, one write each at the user's SET: in a
 * drain those writes came in the same seconds as the drained clients' logins elsewhere, for the
 * same devices, and halved the rate at which the surviving nodes logged them in. Nothing needs
 * them: a device's next login replaces its route, and until then a route naming a node that left
 * is a route to no link, as after a kill -9 — a notify pushed along it fails or finds no such
 * connection (counted; the device syncs at its next login, as every reconnect does), and presence
 * asks a node that does not answer or holds no such link (offline). What the removal also did,
 * record the device's last seen time, waits for the device's next login.
 *
 * <p>Set once by the draining thread and read by the event loops: volatile.
 */
public final class Departure {

    private volatile boolean begun;

    /** The node is leaving from now on; its links keep their routes when they close. */
    public void begin() {
        begun = true;
    }

    public boolean begun() {
        return begun;
    }
}

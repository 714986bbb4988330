package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.Channel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A link of a node that stays removes its device's route when it closes; a link of a node that is
 * leaving (draining) does not: in a drain storm that removal was a second write for the same
 * device as its login on the next node, and the next login replaces the route anyway.
 */
@ExtendWith(ByteBufLeaks.class)
class DepartureTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void aLinkClosedWhileItsNodeIsLeavingKeepsItsRouteWhileOneClosedBeforeRemovesIt() throws Exception {
        Channel before = links.authenticated(1, "phone");
        Channel during = links.authenticated(2, "phone");

        before.close();
        links.departure.begin();
        during.close();

        assertFalse(during.isActive());
        assertEquals(0, links.sessions.size(), "both links left the node's registry");
        assertEquals(List.of(true, true, false), links.logic.routeUpdates(),
                "two logins and one removal: the link closed before the node began to leave");
        assertEquals(1, links.logic.requests.stream().filter(r -> r.hasRoute() && r.getCaller().getUserId() == 1).count());
    }
}

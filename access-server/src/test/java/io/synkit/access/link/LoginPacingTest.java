package io.synkit.access.link;

import static io.synkit.access.link.AuthFirstTest.assertFatal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.synkit.access.limit.RateLimit;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.DeviceLoggedIn;
import io.synkit.protocol.internal.LogicResponse;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A reconnect storm meets paced logins: beyond the node's slots an Auth is refused at once with a jittered retry-after. */
@ExtendWith(ByteBufLeaks.class)
class LoginPacingTest {

    private final LinkHarness links = new LinkHarness(LinkHarness.settings(8), RateLimit.off("access.limit.user."), 1);

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void theWaitOfAnAuthFromItsLinksAcceptToItsReadIsTimedForEveryAuthPacedOrNot() throws Exception {
        links.logic.holdRoutes = true;
        SlowReaderChannel first = links.connect();
        links.clock.advanceMs(120);
        links.send(first, links.auth(1, "phone", 60_000));
        SlowReaderChannel second = links.connect();
        links.clock.advanceMs(30);
        links.send(second, links.auth(2, "phone", 60_000));

        assertFatal(io.synkit.protocol.client.ErrorCode.UNAVAILABLE, links.onlyReceived(second));
        Timer waits = links.registry.find("synkit_access_auth_wait").timer();
        assertEquals(2, waits.count(), "the login that took a slot and the one paced");
        assertEquals(120, waits.max(TimeUnit.MILLISECONDS), 0.001, "the first link was accepted 120 ms before its Auth was read");
        assertEquals(150, waits.totalTime(TimeUnit.MILLISECONDS), 0.001, "120 ms and 30 ms");
    }

    @Test
    void anAuthBeyondTheLoginSlotsIsRefusedAtOnceWithARetryAfterAndTheNextOneAfterASlotFreesIsServed() throws Exception {
        links.logic.holdRoutes = true;
        SlowReaderChannel first = links.connect();
        links.send(first, links.auth(1, "phone", 60_000));
        SlowReaderChannel second = links.connect();

        links.send(second, links.auth(2, "phone", 60_000));

        ServerFrame paced = links.onlyReceived(second);
        assertFatal(io.synkit.protocol.client.ErrorCode.UNAVAILABLE, paced);
        int retryAfterMs = paced.getError().getRetryAfterMs();
        assertTrue(retryAfterMs >= 1000 && retryAfterMs <= 2000, "jittered in [1 s, 2 s]: " + retryAfterMs);
        assertEquals(1, links.count("synkit_access_logins_paced"));

        links.clock.advanceMs(350);
        links.logic.takePending().answer().complete(LogicResponse.newBuilder().setLogin(DeviceLoggedIn.getDefaultInstance()).build());
        AuthResponse auth = links.onlyReceived(first).getAuth();
        Timer logins = links.registry.find("synkit_access_login").timer();
        assertEquals(1, logins.count(), "the login answered is timed, the paced one is not");
        assertEquals(350, logins.totalTime(TimeUnit.MILLISECONDS), 0.001, "from its Auth read to its AuthResponse written");
        assertEquals(Set.of("access-2:7100", "access-3:7100"), new HashSet<>(auth.getAccessAddressesList()), "the other nodes to fall back to");
        assertEquals(0, links.logins.taken());
        SlowReaderChannel third = links.connect();
        links.send(third, links.auth(3, "phone", 60_000));
        assertEquals(1, links.logins.taken(), "a freed slot serves the next login");
    }
}

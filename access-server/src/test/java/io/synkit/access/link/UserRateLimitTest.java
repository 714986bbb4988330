package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.access.limit.RateLimit;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests per user: a flood is answered RATE_LIMITED with a retry-after, and one that goes on is blocked, across the user's links. */
@ExtendWith(ByteBufLeaks.class)
class UserRateLimitTest {

    /** 10 requests a second, 20 saved up; 5 refused requests within a minute block the user for 2 s, then 4 s. */
    private final LinkHarness links = new LinkHarness(LinkHarness.settings(4), new RateLimit("access.limit.user.", 10, 20, 5, 2000, 4000));

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void aFloodingUserIsLimitedThenBlockedOnAllItsLinksWhileOtherUsersAreServed() throws Exception {
        SlowReaderChannel phone = links.authenticated(1, "phone");
        SlowReaderChannel tablet = links.authenticated(1, "tablet");
        SlowReaderChannel other = links.authenticated(2, "phone");
        for (int i = 0; i < 20; i++) {
            links.send(i % 2 == 0 ? phone : tablet, links.heartbeat());
        }
        assertEquals(10, links.received(phone).stream().filter(ServerFrame::hasHeartbeat).count());
        assertEquals(10, links.received(tablet).stream().filter(ServerFrame::hasHeartbeat).count());

        links.send(phone, links.heartbeat());
        ServerFrame limited = links.onlyReceived(phone);
        assertEquals(ErrorCode.RATE_LIMITED, limited.getError().getCode());
        assertEquals(100, limited.getError().getRetryAfterMs());
        assertTrue(!limited.getError().getFatal() && phone.isActive(), "a limited link stays open");
        for (int i = 0; i < 4; i++) {
            links.send(tablet, links.heartbeat());
        }
        ServerFrame blocked = links.received(tablet).get(3);
        assertEquals(ErrorCode.RATE_LIMITED, blocked.getError().getCode());
        assertEquals(2000, blocked.getError().getRetryAfterMs());
        assertTrue(blocked.getError().getMessage().contains("blocked"), blocked.getError().getMessage());

        links.send(other, links.heartbeat());
        assertTrue(links.onlyReceived(other).hasHeartbeat(), "another user is served");
        links.advanceAndSweep(1999);
        links.send(phone, links.heartbeat());
        assertEquals(1, links.onlyReceived(phone).getError().getRetryAfterMs());
        links.advanceAndSweep(1);
        links.send(phone, links.heartbeat());
        assertTrue(links.onlyReceived(phone).hasHeartbeat(), "served again once the block ends");
        assertEquals(1, links.count("synkit_access_rate_blocks", "scope", "user"));
    }
}

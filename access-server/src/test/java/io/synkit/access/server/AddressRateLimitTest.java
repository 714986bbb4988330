package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Limits per client address on a real node and real sockets: a connection flood from one address
 * is paced (RATE_LIMITED with a retry-after at connect), and an address that keeps presenting
 * forged tokens is blocked (ADDRESS_BLOCKED), each refusal counted.
 */
class AddressRateLimitTest {

    private static final int READ_TIMEOUT_MS = 10_000;

    private StubbedAccessNode node;
    private AccessServer server;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private void start(Map<String, String> settings) throws Exception {
        node = StubbedAccessNode.start(settings);
        server = node.server;
    }

    private RawClient connect() throws Exception {
        return node.connect(READ_TIMEOUT_MS);
    }

    private double count(String name, String... tags) {
        return server.metrics().counter(name, tags).count();
    }

    @Test
    void aConnectionFloodFromOneAddressIsPacedWithARetryAfterButNeverBlocked() throws Exception {
        start(Map.of("access.limit.address.rate.per.s", "1", "access.limit.address.burst", "5", "access.limit.address.block.strikes", "2"));
        for (int i = 0; i < 5; i++) {
            assertTrue(connect().login(100 + i, "phone").hasAuth(), "connection " + i + " within the burst");
        }
        for (int i = 0; i < 3; i++) {
            RawClient refused = connect();
            ServerFrame frame = refused.read();
            assertEquals(ErrorCode.RATE_LIMITED, frame.getError().getCode(), frame.toString());
            assertTrue(frame.getError().getFatal() && frame.getError().getRetryAfterMs() > 0 && frame.getError().getRetryAfterMs() <= 1000,
                    frame.toString());
            assertTrue(refused.closedByServer());
        }
        assertEquals(3, count("synkit_access_rate_limited", "scope", "address", "outcome", "limited"));
        assertEquals(0, count("synkit_access_rate_blocks", "scope", "address"), "a high connection rate alone never blocks (carrier NAT)");
    }

    @Test
    void anAddressThatKeepsPresentingForgedTokensIsBlockedForLongerEachTime() throws Exception {
        start(Map.of("access.limit.address.block.strikes", "3", "access.limit.address.block.base.ms", "60000"));
        String good = RawClient.TOKENS.issue(7, "phone", 60_000);
        String forged = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        for (int i = 0; i < 3; i++) {
            RawClient client = connect();
            client.write(ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setToken(forged)).build());
            assertEquals(ErrorCode.AUTH_FAILED, client.read().getError().getCode());
        }

        ServerFrame blocked = connect().read();

        assertEquals(ErrorCode.ADDRESS_BLOCKED, blocked.getError().getCode(), blocked.toString());
        assertTrue(blocked.getError().getFatal());
        assertTrue(blocked.getError().getRetryAfterMs() > 59_000 && blocked.getError().getRetryAfterMs() <= 60_000, blocked.toString());
        assertEquals(1, count("synkit_access_rate_blocks", "scope", "address"));
        assertEquals(1, count("synkit_access_rate_limited", "scope", "address", "outcome", "blocked"));
    }
}

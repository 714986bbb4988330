package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.ServerFrame;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node holding access.redirect.above.links links sends new logins on to the other nodes, once per client. */
class RedirectTest {

    private static final List<String> PEERS = List.of("10.0.0.2:7100", "10.0.0.3:7100");

    private StubbedAccessNode node;
    private AccessServer server;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aLoginBeyondTheRedirectMarkIsSentToTheOtherNodesAndARedirectedLoginIsServed() throws Exception {
        node = StubbedAccessNode.start(Map.of("access.peer.addresses", String.join(",", PEERS), "access.redirect.above.links", "2"));
        server = node.server;
        assertTrue(login(1, false).hasAuth());
        assertTrue(login(2, false).hasAuth());

        RawClient third = connect();
        ServerFrame redirected = login(third, 3, false);

        assertTrue(redirected.hasGoAway(), redirected.toString());
        GoAway goAway = redirected.getGoAway();
        assertEquals(ErrorCode.REDIRECTED, goAway.getCode());
        assertEquals(PEERS.size(), goAway.getAccessAddressesCount());
        assertTrue(PEERS.containsAll(goAway.getAccessAddressesList()), goAway.toString());
        assertTrue(third.closedByServer(), "closed at once, before any login write");
        assertEquals(1, server.metrics().counter("synkit_access_logins_redirected").count());
        assertEquals(2, server.sessionCount());

        ServerFrame served = login(4, true);
        assertTrue(served.hasAuth(), "a client redirected here is served above the mark: " + served);
        assertEquals(3, server.sessionCount());
    }

    private RawClient connect() throws Exception {
        return node.connect(10_000);
    }

    private ServerFrame login(long user, boolean redirected) throws Exception {
        return login(connect(), user, redirected);
    }

    private static ServerFrame login(RawClient client, long user, boolean redirected) throws Exception {
        client.write(ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder()
                .setToken(RawClient.TOKENS.issue(user, "phone", 60_000)).setRedirected(redirected)).build());
        return client.read();
    }
}

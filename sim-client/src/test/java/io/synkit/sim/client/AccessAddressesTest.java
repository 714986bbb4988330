package io.synkit.sim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's ordered access addresses: learnt at login, reordered by a GoAway, fallen back through on failed connects. */
class AccessAddressesTest {

    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 7100);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 7110);
    private static final InetSocketAddress C = new InetSocketAddress("127.0.0.1", 7120);

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    @Test
    void aLoginKeepsTheNodeItIsOnFirstAndTheServersListAfterIt() {
        AccessAddresses addresses = new AccessAddresses(List.of(A), 0);

        addresses.loggedIn(List.of(hostPort(C), hostPort(B), hostPort(A), "not-an-address"));

        assertEquals(List.of(A, C, B), addresses.order().stream().map(AccessAddressesTest::resolved).toList());
        assertEquals(A, resolved(addresses.current()));
    }

    @Test
    void aGoAwayWithAddressesGoesToTheFirstAtOnceAndBackToTheNodeThatWentAwayOnlyLastAndAfterItsRetryAfter() {
        AccessAddresses addresses = new AccessAddresses(List.of(A), 0);
        addresses.loggedIn(List.of(hostPort(B), hostPort(C)));
        long now = 1_000_000_000L;

        addresses.goAway(List.of(hostPort(C), hostPort(B)), 3000, now);

        assertEquals(C, resolved(addresses.current()));
        assertEquals(0, addresses.waitNanos(now), "another node: at once");
        addresses.next();
        assertEquals(B, resolved(addresses.current()), "C refused: fall back to B");
        addresses.next();
        assertEquals(A, resolved(addresses.current()), "the node that went away comes last");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(2000), addresses.waitNanos(now + TimeUnit.MILLISECONDS.toNanos(1000)), "and not before its retry-after");
        addresses.next();
        assertEquals(C, resolved(addresses.current()), "round again");
    }

    @Test
    void aGoAwayWithoutAddressesMovesToTheNextKnownNodeAndKeepsTheRetryAfterForTheOneThatWentAway() {
        AccessAddresses addresses = new AccessAddresses(List.of(A, B), 0);

        addresses.goAway(List.of(), 500, 0);

        assertEquals(B, addresses.current());
        assertEquals(0, addresses.waitNanos(0));
        addresses.next();
        assertEquals(A, addresses.current());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), addresses.waitNanos(0));
    }

    @Test
    void aRefusalFromTheNextNodeKeepsTheDrainedNodesRetryAfterAndWaitsForWhicheverNodeIsFreeFirst() {
        AccessAddresses addresses = new AccessAddresses(List.of(A), 0);
        addresses.loggedIn(List.of(hostPort(B)));
        long second = TimeUnit.SECONDS.toNanos(1);

        addresses.goAway(List.of(hostPort(B)), 5000, 0);
        addresses.goAway(List.of(), 1000, second);

        assertEquals(B, resolved(addresses.current()), "A is away 4 s more, B 1 s: B again, not A's closed listener");
        assertEquals(second, addresses.waitNanos(second));
        addresses.goAway(List.of(), 4000, 2 * second);
        assertEquals(A, resolved(addresses.current()), "B away until 6 s, A free at 5 s");
        assertEquals(3 * second, addresses.waitNanos(2 * second), "A's retry-after is still kept");
    }

    /**
     * A kill storm: A is down (connects refused), B paces logins with retry-afters. A is left alone
     * 1 s, then 2 s, then 4 s after each refused connect, so the client goes to B at each retry-after
     * rather than spend every other attempt, and its 1 s gap, on A.
     */
    @Test
    void aNodeThatRefusesConnectsIsLeftAloneLongerEachTimeWhileTheNodeThatPacesIsTriedAtItsRetryAfter() {
        AccessAddresses addresses = new AccessAddresses(List.of(A, B), 0);
        long second = TimeUnit.SECONDS.toNanos(1);

        addresses.attemptFailed(0, 0);
        assertEquals(B, addresses.current(), "A refused the connect: B next");
        addresses.attemptFailed(1500, second);
        assertEquals(A, addresses.current(), "B paces until 2.5 s, A is free again at 1 s");
        addresses.attemptFailed(0, 2 * second);
        assertEquals(B, addresses.current(), "A refused again: left alone until 4 s, B is free at 2.5 s");
        assertEquals(second / 2, addresses.waitNanos(2 * second));
        addresses.attemptFailed(1500, 5 * second / 2);
        assertEquals(A, addresses.current(), "B until 4 s, A until 4 s: A, in order");
        addresses.attemptFailed(0, 4 * second);
        assertEquals(B, addresses.current());
        addresses.attemptFailed(1000, 5 * second);
        assertEquals(B, addresses.current(), "A is left alone 4 s now, until 8 s: B again at 6 s");
        assertEquals(second, addresses.waitNanos(5 * second));
    }

    @Test
    void aLoginAtANodeForgetsItsRefusedConnects() {
        AccessAddresses addresses = new AccessAddresses(List.of(A, B), 0);
        long second = TimeUnit.SECONDS.toNanos(1);
        addresses.attemptFailed(0, 0);
        addresses.attemptFailed(0, 0);
        addresses.attemptFailed(0, 2 * second);
        assertEquals(B, addresses.current(), "A away 2 s from 2 s");
        addresses.attemptFailed(0, 10 * second);
        assertEquals(A, addresses.current());

        addresses.loggedIn(List.of());
        addresses.attemptFailed(0, 20 * second);

        assertEquals(B, addresses.current());
        addresses.next();
        assertEquals(second, addresses.waitNanos(20 * second), "A's count started afresh: 1 s, not 8 s");
    }

    @Test
    void aSingleNodeClientWaitsOutTheRetryAfter() {
        AccessAddresses addresses = new AccessAddresses(List.of(A), 0);

        addresses.goAway(List.of(), 800, 0);

        assertEquals(A, addresses.current());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(800), addresses.waitNanos(0));
    }

    private static InetSocketAddress resolved(InetSocketAddress address) {
        return new InetSocketAddress(address.getHostString(), address.getPort());
    }

    @Test
    void twoAttemptsOfAClientAreNeverWithinTheMinimumGapToOneAddressOrToTwo() {
        AccessAddresses addresses = new AccessAddresses(List.of(A, B), 0);
        long gapNanos = TimeUnit.MILLISECONDS.toNanos(AccessAddresses.ATTEMPT_GAP_MS_MIN);

        addresses.attempting(0);
        addresses.next();
        assertEquals(gapNanos - 10, addresses.waitNanos(10), "another address: the rest of the gap too, so one attempt a second at most");
        addresses.attempting(gapNanos);
        addresses.next();

        assertEquals(gapNanos - 20, addresses.waitNanos(gapNanos + 20), "back at A 20 ns after trying B: the rest of the gap");
        assertEquals(0, addresses.waitNanos(2 * gapNanos));
    }

    @Test
    void aRedirectIsFollowedAtOnceTheGapNotWithstanding() {
        AccessAddresses addresses = new AccessAddresses(List.of(A), 0);
        addresses.attempting(0);

        addresses.redirected(List.of(hostPort(B)), 10);

        assertEquals(B, resolved(addresses.current()));
        assertEquals(0, addresses.waitNanos(10), "a redirect is not a failure: the next node at once");
    }
}

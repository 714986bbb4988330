package io.synkit.access.link;

import io.synkit.access.health.Halt;
import io.synkit.access.limit.RateLimiter;
import io.synkit.access.session.EndedSessions;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import java.net.InetAddress;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the links of a node share.
 *
 * @param accessNode this node's push address ("host:port"), written into routes
 * @param connIds source of connection ids, unique per node lifetime and across restarts
 * @param sweeps each event loop's sweep, which holds the loop's links and checks their deadlines
 * @param endedSessions session ends that arrived for links still authenticating
 * @param accessTokenTtlMs {@code access.token.ttl.ms}: lifetime of the access tokens the node mints from refresh tokens
 * @param addressLimits connections (and bad tokens) per client address
 * @param userLimits requests per user on this node
 * @param logins logins on their way to the user's SET, paced (see {@link LoginSlots})
 * @param peerAddresses {@code access.peer.addresses}: client addresses of the other access nodes, told to
 *     clients at login and in GoAway so they know where else to go
 * @param redirectAboveLinks {@code access.redirect.above.links}: with this many authenticated links (0: never) a
 *     new login is redirected to the other nodes, unless it was redirected here
 */
public record LinkServices(LinkSettings settings, TokenCodec tokens, SessionRegistry sessions, LogicClient logic, String accessNode,
                           LongSupplier connIds, Clock clock, LinkSweeps sweeps, UnauthenticatedLinks unauthenticated,
                           LinkMetrics metrics, Halt halt, EndedSessions endedSessions, long accessTokenTtlMs,
                           RateLimiter<InetAddress> addressLimits, RateLimiter<Long> userLimits, LoginSlots logins,
                           List<String> peerAddresses, int redirectAboveLinks) {
}

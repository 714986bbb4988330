package io.synkit.access.link;

import io.synkit.access.health.Halt;
import io.synkit.access.limit.RateLimiter;
import io.synkit.access.session.EndedSessions;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import java.net.InetAddress;
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
 */
public record LinkServices(LinkSettings settings, TokenCodec tokens, SessionRegistry sessions, LogicClient logic, String accessNode,
                           LongSupplier connIds, Clock clock, LinkSweeps sweeps, UnauthenticatedLinks unauthenticated,
                           LinkMetrics metrics, Halt halt, EndedSessions endedSessions, long accessTokenTtlMs,
                           RateLimiter<InetAddress> addressLimits, RateLimiter<Long> userLimits) {
}

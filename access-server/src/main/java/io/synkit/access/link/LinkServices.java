package io.synkit.access.link;

import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import java.util.function.LongSupplier;

/**
 * What the link handlers of every connection share.
 *
 * @param accessNode this node's push address ("host:port"), written into routes
 * @param connIds source of connection ids, unique per node lifetime and across restarts
 */
public record LinkServices(LinkSettings settings, TokenCodec tokens, SessionRegistry sessions, LogicClient logic,
                           String accessNode, LongSupplier connIds, Clock clock, MeterRegistry metrics) {
}

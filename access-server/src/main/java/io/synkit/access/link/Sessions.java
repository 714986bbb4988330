package io.synkit.access.link;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.synkit.access.session.ClientSession;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.RouteUpdate;

/** The link's session attribute and the caller identity derived from it. */
final class Sessions {

    private static final AttributeKey<ClientSession> SESSION = AttributeKey.valueOf("synkit.session");

    private Sessions() {
    }

    static ClientSession of(Channel channel) {
        return channel.attr(SESSION).get();
    }

    static void attach(Channel channel, ClientSession session) {
        channel.attr(SESSION).set(session);
    }

    static Caller caller(ClientSession session, String accessNode, long requestId) {
        return Caller.newBuilder().setUserId(session.userId()).setDeviceId(session.deviceId())
                .setAccessNode(accessNode).setConnId(session.connId()).setRequestId(requestId).build();
    }

    /** Removes the device's route if it is still this connection's; best effort. */
    static void routeOffline(LinkServices services, ClientSession session) {
        services.logic().call(LogicRequest.newBuilder().setCaller(caller(session, services.accessNode(), 0))
                .setRoute(RouteUpdate.newBuilder().setOnline(false)).build());
    }
}

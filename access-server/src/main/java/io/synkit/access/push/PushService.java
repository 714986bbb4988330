package io.synkit.access.push;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.access.health.Halt;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.EndedSessions;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.AccessPushAck;
import io.synkit.protocol.internal.DeviceNotify;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.protocol.rpc.RpcPayloads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Receives notifies from logic nodes and hands each to the session its route names. A route whose
 * connection is gone (closed, or replaced by a newer connection of the device) is stale: counted
 * and reported back as undelivered. Whether a session pushes or skips a notify (a link above its
 * write high watermark gets none) is the session's decision.
 */
public final class PushService implements RpcHandler {

    private final SessionRegistry sessions;
    private final Halt halt;
    private final Counter stale;
    private final EndedSessions ended;
    private final Counter endedDropped;

    public PushService(SessionRegistry sessions, EndedSessions ended, MeterRegistry metrics, Halt halt) {
        this.sessions = sessions;
        this.ended = ended;
        this.halt = halt;
        this.stale = metrics.counter("synkit_access_notify_stale_route");
        this.endedDropped = metrics.counter("synkit_access_session_ends_dropped");
    }

    @Override
    public CompletionStage<? extends MessageLite> handle(ByteString payload, long timeoutMs) {
        try {
            return CompletableFuture.completedFuture(deliver(RpcPayloads.parse(AccessPush.parser(), payload, "access push")));
        } catch (Error e) {
            // The RPC server only sees runtime exceptions: a JVM error here would otherwise just close the connection.
            halt.ifFatal(e);
            throw e;
        }
    }

    /**
     * Ends each session named: the link holding it, if this node has it, gets GoAway with the
     * code and is closed. The end is also remembered for a while, for a link whose login has
     * not reached this node yet; the registry is read after that, so one of the two sees it.
     */
    private void end(AccessPush push) {
        for (SessionEnd end : push.getEndsList()) {
            if (!ended.add(end)) {
                endedDropped.increment();
            }
            ClientSession session = sessions.get(end.getUserId(), end.getDeviceId());
            if (session != null && session.connId() == end.getConnId()) {
                session.goAwayAndClose(end.getCode(), end.getReason());
            }
        }
    }

    private AccessPushAck deliver(AccessPush push) {
        end(push);
        AccessPushAck.Builder ack = AccessPushAck.newBuilder();
        for (DeviceNotify asked : push.getPresenceList()) {
            ClientSession session = sessions.get(asked.getUserId(), asked.getDeviceId());
            if (session != null && session.connId() == asked.getConnId() && session.present()) {
                ack.addPresentConnIds(asked.getConnId());
            }
        }
        int undelivered = 0;
        for (DeviceNotify notify : push.getNotifiesList()) {
            ClientSession session = sessions.get(notify.getUserId(), notify.getDeviceId());
            if (session == null || session.connId() != notify.getConnId()) {
                undelivered++;
                stale.increment();
                continue;
            }
            session.push(notify.getNotify());
        }
        return ack.setUndelivered(undelivered).build();
    }
}

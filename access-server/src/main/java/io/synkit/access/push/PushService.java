package io.synkit.access.push;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.access.health.Halt;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.AccessPushAck;
import io.synkit.protocol.internal.DeviceNotify;
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

    public PushService(SessionRegistry sessions, MeterRegistry metrics, Halt halt) {
        this.sessions = sessions;
        this.halt = halt;
        this.stale = metrics.counter("synkit_access_notify_stale_route");
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

    private AccessPushAck deliver(AccessPush push) {
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
        return AccessPushAck.newBuilder().setUndelivered(undelivered).build();
    }
}

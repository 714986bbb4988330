package io.synkit.access.push;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.AccessPushAck;
import io.synkit.protocol.internal.DeviceNotify;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.protocol.rpc.RpcPayloads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Receives notifies from logic nodes and pushes them to the addressed connections. A connection
 * whose outbound buffer is above its high watermark (a slow reader) gets no push: its heartbeat
 * reply carries the latest seq anyway, so memory stays bounded and nothing is lost.
 */
public final class PushService implements RpcHandler {

    private final SessionRegistry sessions;
    private final Counter pushed;
    private final Counter skippedSlow;
    private final Counter stale;

    public PushService(SessionRegistry sessions, MeterRegistry metrics) {
        this.sessions = sessions;
        this.pushed = metrics.counter("synkit_access_notify_pushed");
        this.skippedSlow = metrics.counter("synkit_access_notify_skipped_unwritable");
        this.stale = metrics.counter("synkit_access_notify_stale_route");
    }

    @Override
    public CompletionStage<? extends MessageLite> handle(ByteString payload, long timeoutMs) {
        AccessPush push = RpcPayloads.parse(AccessPush.parser(), payload, "access push");
        int undelivered = 0;
        for (DeviceNotify notify : push.getNotifiesList()) {
            ClientSession session = sessions.byConnId(notify.getConnId());
            if (session == null || session.userId() != notify.getUserId() || !session.deviceId().equals(notify.getDeviceId())) {
                undelivered++;
                stale.increment();
                continue;
            }
            session.inboxAdvanced(notify.getNotify().getSeq());
            if (!session.channel().isWritable()) {
                skippedSlow.increment();
                continue;
            }
            session.channel().writeAndFlush(ServerFrame.newBuilder().setRequestId(0).setNotify(notify.getNotify()).build());
            pushed.increment();
        }
        return CompletableFuture.completedFuture(AccessPushAck.newBuilder().setUndelivered(undelivered).build());
    }
}

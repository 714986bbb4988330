package io.synkit.logic.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.DeviceNotify;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.UserRoutes;
import io.synkit.protocol.rpc.RpcClientPool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells the access nodes holding a user's devices that the inbox advanced: one small push per
 * access node, only to nodes that hold a device of the user, never a broadcast. Best effort: a
 * lost notify is repaired by the next heartbeat reply or reconnect sync, so failures are only
 * counted.
 */
public final class Notifier {

    private static final long PUSH_TIMEOUT_MS = 2000;

    private final RpcClientPool accessNodes;
    private final Counter sent;
    private final Counter failed;

    public Notifier(RpcClientPool accessNodes, MeterRegistry metrics) {
        this.accessNodes = accessNodes;
        this.sent = Counter.builder("synkit_logic_notify_sent").register(metrics);
        this.failed = Counter.builder("synkit_logic_notify_failed").register(metrics);
    }

    public void inboxAdvanced(long userId, long seq, List<DeviceRoute> routes) {
        if (routes.isEmpty()) {
            return;
        }
        Notify notify = Notify.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(seq).build();
        Map<String, AccessPush.Builder> byNode = new LinkedHashMap<>();
        addTo(byNode, userId, routes, notify);
        push(byNode);
    }

    /**
     * A large group's log advanced to {@code convSeq}: one push per access node holding a device of
     * any of {@code users} (a group read from its log writes nothing per member, so this is all a
     * member's device hears of a new entry).
     */
    public void convAdvanced(String convId, long convSeq, List<UserRoutes> users) {
        Notify notify = Notify.newBuilder().setStream(Stream.STREAM_CONV).setConvId(convId).setSeq(convSeq).build();
        Map<String, AccessPush.Builder> byNode = new LinkedHashMap<>();
        for (UserRoutes user : users) {
            addTo(byNode, user.getUserId(), user.getRoutesList(), notify);
        }
        push(byNode);
    }

    private static void addTo(Map<String, AccessPush.Builder> byNode, long userId, List<DeviceRoute> routes, Notify notify) {
        for (DeviceRoute route : routes) {
            byNode.computeIfAbsent(route.getAccessNode(), node -> AccessPush.newBuilder())
                    .addNotifies(DeviceNotify.newBuilder().setUserId(userId).setDeviceId(route.getDeviceId())
                            .setConnId(route.getConnId()).setNotify(notify));
        }
    }

    private void push(Map<String, AccessPush.Builder> byNode) {
        byNode.forEach((node, push) -> {
            try {
                accessNodes.get(node).call(push.build(), PUSH_TIMEOUT_MS).whenComplete((ok, failure) -> (failure == null ? sent : failed).increment());
            } catch (IllegalArgumentException e) {
                failed.increment(); // a route naming a malformed address: count it, the sync path still serves the device
            }
        });
    }
}

package io.synkit.logic.device;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.AccessPushAck;
import io.synkit.protocol.internal.DeviceNotify;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcPayloads;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Which of a user's devices are online: soft state beside the routes. A route says which access
 * node holds a device's link; that node knows whether it heard from the link within its presence
 * window (one and a half heartbeat intervals, so a half-open link turns offline within the window
 * although it is closed only at its idle timeout). Nothing is written anywhere: presence is asked
 * when a device lists its user's devices, and a node that does not answer in time counts its
 * devices offline. Delivery never asks it.
 */
public final class Presence {

    static final long QUERY_TIMEOUT_MS = 500;

    private final RpcClientPool accessNodes;
    private final Counter failed;

    public Presence(RpcClientPool accessNodes, MeterRegistry metrics) {
        this.accessNodes = accessNodes;
        this.failed = metrics.counter("synkit_logic_presence_query_failed");
    }

    /** The connection ids of {@code routes} whose links are present; never fails. */
    public CompletableFuture<Set<Long>> present(long userId, List<DeviceRoute> routes) {
        Map<String, AccessPush.Builder> byNode = new LinkedHashMap<>();
        for (DeviceRoute route : routes) {
            byNode.computeIfAbsent(route.getAccessNode(), node -> AccessPush.newBuilder())
                    .addPresence(DeviceNotify.newBuilder().setUserId(userId).setDeviceId(route.getDeviceId()).setConnId(route.getConnId()));
        }
        List<CompletableFuture<List<Long>>> answers = new ArrayList<>();
        byNode.forEach((node, query) -> answers.add(ask(node, query.build())));
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Set<Long> present = new HashSet<>();
            answers.forEach(answer -> present.addAll(answer.join()));
            return present;
        });
    }

    private CompletableFuture<List<Long>> ask(String node, AccessPush query) {
        try {
            return accessNodes.get(node).call(query, QUERY_TIMEOUT_MS)
                    .thenApply(answer -> RpcPayloads.parse(AccessPushAck.parser(), answer, "presence answer").getPresentConnIdsList())
                    .exceptionally(failure -> {
                        failed.increment();
                        return List.of();
                    });
        } catch (IllegalArgumentException e) {
            failed.increment();
            return CompletableFuture.completedFuture(List.of());
        }
    }
}

package io.synkit.sim.client;

import io.netty.channel.EventLoop;
import io.synkit.protocol.client.HeartbeatResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A link's heartbeats as docs/protocol.md §7 asks of every client: one every interval the server
 * suggested, for as long as the link is the client's current one. A heartbeat unanswered within two
 * intervals means a dead link (half-open, NAT mapping gone, radio lost): the client drops it and
 * reconnects rather than wait forever. An answer is handed on, so the client can sync when it names
 * an inbox seq beyond its key (a notify lost on its way; notifies are best effort).
 *
 * <p>Threading: the owner's state is touched on {@code loop} only, as the owner's is.
 */
public final class LinkHeartbeats {

    private LinkHeartbeats() {
    }

    /**
     * Heartbeats on {@code link} every {@code intervalMs} (none if it is not positive) while
     * {@code current} holds, checked on {@code loop} before each; {@code dead} runs when one is
     * unanswered within two intervals, {@code answered} with each answer, both on {@code loop} and
     * only while {@code current} still holds.
     */
    public static void start(EventLoop loop, SynkitClient link, int intervalMs, BooleanSupplier current, Runnable dead,
                             Consumer<HeartbeatResponse> answered) {
        if (intervalMs <= 0) {
            return;
        }
        loop.schedule(new Runnable() {
            @Override
            public void run() {
                if (!current.getAsBoolean()) {
                    return;
                }
                link.heartbeat().orTimeout(2L * intervalMs, TimeUnit.MILLISECONDS).whenComplete((beat, failure) -> loop.execute(() -> {
                    if (!current.getAsBoolean()) {
                        return;
                    }
                    if (failure != null) {
                        dead.run();
                    } else {
                        answered.accept(beat);
                    }
                }));
                loop.schedule(this, intervalMs, TimeUnit.MILLISECONDS);
            }
        }, intervalMs, TimeUnit.MILLISECONDS);
    }
}

package io.synkit.logic.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.OutboxScanRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox re-driver finishes fan-outs that nobody finished: the sender's node crashed, or the sender never retried. */
class OutboxRedriverTest {

    /** Passes run only when the test calls {@link OutboxRedriver#scanAll()}. */
    private static final int INTERVAL_MS = 3_600_000;

    @TempDir
    Path dir;

    private LogicPaths logic;
    private DefaultEventLoop scheduler;
    private SimpleMeterRegistry metrics;
    private OutboxRedriver redriver;

    @BeforeEach
    void start() {
        logic = new LogicPaths(dir, 1);
        scheduler = new DefaultEventLoop();
        metrics = new SimpleMeterRegistry();
        redriver = new OutboxRedriver(logic.stores, logic.fanout, logic.delivery, scheduler, INTERVAL_MS, 0, metrics);
    }

    @AfterEach
    void stop() {
        redriver.close();
        scheduler.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        logic.close();
    }

    private static Predicate<StoreRequest> inboxOf(long userId) {
        return request -> request.hasAppendInbox() && request.getAppendInbox().getUserId() == userId;
    }

    private List<String> outbox() {
        StoreRequest scan = StoreRequest.newBuilder().setOutboxScan(OutboxScanRequest.newBuilder().setLimit(100)).build();
        return logic.stores.call(logic.stores.slotMap().sets().get(0), scan).join().getOutboxScan().getMessagesList().stream()
                .map(m -> m.getConvId() + "#" + m.getConvSeq()).toList();
    }

    private void sendCutShort(long sender, String convId, String clientMsgId) {
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> logic.send(sender, convId, clientMsgId, "x")).code());
    }

    @Test
    void committedEntryWhoseFanOutWasCutShortIsDeliveredByTheNextPassAndCleared() {
        logic.stores.failWhen(inboxOf(2), ErrorCode.UNAVAILABLE);
        sendCutShort(1, "d:1:2", "m1");
        logic.stores.heal();
        assertEquals(List.of("d:1:2#1"), outbox());

        redriver.scanAll().join();

        assertEquals(List.of("d:1:2#1"), logic.inbox(2).stream().map(m -> m.getConvId() + "#" + m.getConvSeq()).toList());
        assertEquals(List.of(), outbox());
        assertEquals(1, metrics.get("synkit_logic_outbox_redriven").counter().count());
    }

    @Test
    void entryThatCannotBeDeliveredYetDoesNotHoldUpTheEntriesAfterIt() {
        logic.stores.failWhen(inboxOf(2), ErrorCode.UNAVAILABLE);
        logic.stores.failWhen(inboxOf(3), ErrorCode.UNAVAILABLE);
        sendCutShort(1, "d:1:2", "m1");
        sendCutShort(1, "d:1:3", "m2");
        logic.stores.heal();
        logic.stores.failWhen(inboxOf(2), ErrorCode.UNAVAILABLE);
        assertEquals(List.of("d:1:2#1", "d:1:3#1"), outbox(), "the failing entry comes first in the scan");

        redriver.scanAll().join();

        assertEquals(List.of("d:1:3"), logic.inbox(3).stream().map(MessageOp::getConvId).toList());
        assertEquals(List.of("d:1:2#1"), outbox(), "the failed entry waits for the next pass");
        assertEquals(1, metrics.get("synkit_logic_outbox_redrive_failed").counter().count());

        logic.stores.heal();
        redriver.scanAll().join();

        assertEquals(List.of("d:1:2"), logic.inbox(2).stream().map(MessageOp::getConvId).toList());
        assertEquals(List.of(), outbox());
    }
}

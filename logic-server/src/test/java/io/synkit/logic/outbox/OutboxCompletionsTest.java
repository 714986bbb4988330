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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finished fan-outs clear their outbox marks a batch per home SET, not a write each, and a mark is
 * never cleared for an entry whose fan-out did not finish: a logic node that crashes between
 * {@code AppendConv} and the inbox writes, or before its flush, loses no entry.
 */
class OutboxCompletionsTest {

    /** Passes run only when the test calls {@link OutboxRedriver#scanAll()}. */
    private static final int INTERVAL_MS = 3_600_000;
    private static final String CONV = "d:1:2";

    @TempDir
    Path dir;

    private LogicPaths logic;
    private DefaultEventLoop scheduler;
    private OutboxRedriver redriver;

    @BeforeEach
    void start() {
        logic = new LogicPaths(dir, 1);
        scheduler = new DefaultEventLoop();
        redriver = new OutboxRedriver(logic.stores, logic.fanout, logic.delivery, scheduler, INTERVAL_MS, 0, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        redriver.close();
        scheduler.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        logic.close();
    }

    private List<String> outbox() {
        StoreRequest scan = StoreRequest.newBuilder().setOutboxScan(OutboxScanRequest.newBuilder().setLimit(100)).build();
        return logic.stores.call(logic.stores.slotMap().sets().get(0), scan).join().getOutboxScan().getMessagesList().stream()
                .map(OutboxCompletionsTest::name).toList();
    }

    private static String name(MessageOp message) {
        return message.getConvId() + "#" + message.getConvSeq();
    }

    private List<String> inbox(long userId) {
        return logic.inbox(userId).stream().map(OutboxCompletionsTest::name).toList();
    }

    private long requestsOf(StoreRequest.BodyCase kind) {
        return logic.stores.requests().stream().filter(request -> request.getBodyCase() == kind).count();
    }

    @Test
    void finishedSendsAreClearedByOneBatchOfTheirHomeSetAndNoWriteOfTheirOwn() {
        logic.send(1, CONV, "m1", "a");
        logic.send(2, CONV, "m2", "b");
        logic.send(1, "d:1:3", "m3", "c");
        assertEquals(List.of("d:1:2#1", "d:1:2#2", "d:1:3#1"), outbox());

        logic.completions.flush().join();

        assertEquals(List.of(), outbox());
        assertEquals(1, requestsOf(StoreRequest.BodyCase.OUTBOX_DONE_BATCH));
        assertEquals(0, requestsOf(StoreRequest.BodyCase.OUTBOX_DONE));
    }

    @Test
    void fullBatchIsSentWithoutWaitingForTheFlush() {
        for (int i = 1; i <= LogicPaths.OUTBOX_DONE_BATCH_ENTRIES_MAX; i++) {
            logic.send(1, CONV, "m" + i, "x");
        }

        assertEquals(List.of(), outbox());
        assertEquals(1, requestsOf(StoreRequest.BodyCase.OUTBOX_DONE_BATCH));
    }

    @Test
    void storeThatDoesNotKnowTheBatchGetsEachMarkClearedOnItsOwn() {
        logic.stores.failWhen(StoreRequest::hasOutboxDoneBatch, ErrorCode.INVALID_REQUEST); // as an older store answers a body it does not know
        logic.send(1, CONV, "m1", "a");
        logic.send(1, "d:1:3", "m2", "b");

        logic.completions.flush().join();

        assertEquals(List.of(), outbox());
        assertEquals(2, requestsOf(StoreRequest.BodyCase.OUTBOX_DONE));
    }

    @Test
    void crashBetweenAppendConvAndTheInboxWritesLeavesTheMarkThatTheNextSendsBatchDoesNotClear() {
        logic.stores.failWhen(StoreRequest::hasAppendInbox, ErrorCode.UNAVAILABLE);
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> logic.send(1, CONV, "m1", "lost?")).code());
        logic.stores.heal();
        logic.completions.flush().join(); // the crashed node's last flush: it finished nothing
        assertEquals(List.of("d:1:2#1"), outbox());

        try (LogicPaths otherNode = new LogicPaths(logic)) {
            otherNode.send(2, CONV, "m2", "next");
            otherNode.completions.flush().join();
        }

        assertEquals(List.of("d:1:2#1"), outbox(), "the next send's batch clears its own mark only");
        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(1), "the next send's fan-out copied the earlier entry first");
        redriver.scanAll().join();
        assertEquals(List.of(), outbox());
        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(1), "once each, in order");
        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(2));
    }

    @Test
    void crashBetweenAppendConvAndTheInboxWritesIsDeliveredByTheRedriverAlone() {
        logic.stores.failWhen(StoreRequest::hasAppendInbox, ErrorCode.UNAVAILABLE);
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> logic.send(1, CONV, "m1", "a")).code());
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class, () -> logic.send(2, CONV, "m2", "b")).code());
        logic.stores.heal();
        logic.completions.flush().join();

        redriver.scanAll().join();

        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(1));
        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(2));
        assertEquals(List.of(), outbox());
    }

    @Test
    void sendsOfANodeThatCrashedBeforeItsFlushAreRedrivenWithoutASecondDelivery() {
        logic.send(1, CONV, "m1", "a");
        logic.send(2, CONV, "m2", "b");
        // The node dies here: its batch is never sent.

        redriver.scanAll().join();

        assertEquals(List.of(), outbox());
        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(1));
        assertEquals(List.of("d:1:2#1", "d:1:2#2"), inbox(2));
    }

    @Test
    void batchThatFailsLeavesItsMarksToTheRedriver() {
        logic.stores.failWhen(StoreRequest::hasOutboxDoneBatch, ErrorCode.UNAVAILABLE);
        logic.send(1, CONV, "m1", "a");

        logic.completions.flush().join();
        assertEquals(List.of("d:1:2#1"), outbox());
        logic.stores.heal();
        redriver.scanAll().join();

        assertEquals(List.of(), outbox());
        assertEquals(List.of("d:1:2#1"), inbox(2));
    }
}

package io.synkit.store.write;

import static io.synkit.store.write.StoreFixture.appendInboxRequest;
import static io.synkit.store.write.StoreFixture.await;
import static io.synkit.store.write.StoreFixture.entry;
import static io.synkit.store.write.StoreFixture.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.internal.AppendInboxResponse;
import io.synkit.protocol.internal.MarkReadStoreRequest;
import io.synkit.protocol.internal.ReadInboxRequest;
import io.synkit.protocol.internal.ReadInboxResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.read.StoreReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's inbox: dense seqs under fan-out, retries, gaps, concurrency, paging and restarts. */
class InboxAppendTest {

    private static final long USER = 1;

    @TempDir
    Path dir;

    private static List<Long> seqsOf(ReadInboxResponse page) {
        return page.getOpsList().stream().map(Op::getSeq).toList();
    }

    private static List<Long> seqs(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void fanOutFromSeveralConversationsGetsDenseInboxSeqs() {
        try (StoreFixture store = new StoreFixture(dir)) {
            assertEquals(1, store.appendInbox(USER, entry("d:1:2", 1)).getSeq());
            assertEquals(2, store.appendInbox(USER, entry("d:1:3", 1)).getSeq());
            assertEquals(3, store.appendInbox(USER, entry("d:1:2", 2)).getSeq());
            assertEquals(1, store.appendInbox(2, entry("d:1:2", 1)).getSeq(), "each user's inbox counts from 1");
            assertEquals(4, store.appendInbox(USER, entry("d:1:3", 2)).getSeq());

            ReadInboxResponse inbox = store.readInbox(USER, 0, 0);
            assertEquals(seqs(1, 4), seqsOf(inbox));
            assertEquals(4, inbox.getHeadSeq());
            assertEquals(StoreKeys.TIMELINE_EPOCH_INITIAL, inbox.getEpoch());
            assertEquals(entry("d:1:3", 2), inbox.getOps(3).getMessage());
        }
    }

    @Test
    void aReadMarkBetweenTwoEntriesTakesItsOwnSeqAndTheNextEntryTheOneAfter() {
        try (StoreFixture store = new StoreFixture(dir)) {
            // User 1's messages in user 2's inbox: unread there until user 2 marks them read.
            assertEquals(1, store.appendInbox(2, entry("d:1:2", 1)).getSeq());
            long markSeq = store.write(StoreRequest.newBuilder().setMarkRead(
                    MarkReadStoreRequest.newBuilder().setUserId(2).setConvId("d:1:2")
                            .setReadUpToConvSeq(1).setDeviceId("phone")).build()).getMarkRead().getMarked().getSeq();
            assertEquals(2, markSeq);
            // The writer remembers the inbox's head across batches: the read mark must move it too,
            // or this entry would take seq 2 again and overwrite the mark.
            assertEquals(3, store.appendInbox(2, entry("d:1:2", 2)).getSeq());
            ReadInboxResponse page = store.readInbox(2, 0, 10);
            assertEquals(List.of(1L, 2L, 3L), seqsOf(page));
            assertTrue(page.getOps(1).hasReadMark(), "the read mark is still at seq 2: " + page.getOps(1));
        }
    }

    @Test
    void entryAheadOfTheConversationCursorIsAGapAndNotWritten() {
        try (StoreFixture store = new StoreFixture(dir)) {
            AppendInboxResponse early = store.appendInbox(USER, entry("d:1:2", 2));

            assertTrue(early.getGap());
            assertEquals(1, early.getNextConvSeq());
            assertEquals(0, early.getSeq());
            assertEquals(0, store.readInbox(USER, 0, 0).getHeadSeq());

            assertEquals(1, store.appendInbox(USER, entry("d:1:2", 1)).getSeq());
            AppendInboxResponse skipAhead = store.appendInbox(USER, entry("d:1:2", 5));
            assertTrue(skipAhead.getGap());
            assertEquals(2, skipAhead.getNextConvSeq());
            assertEquals(2, store.appendInbox(USER, entry("d:1:2", 2)).getSeq());
            assertEquals(List.of(1L, 2L), store.readInbox(USER, 0, 0).getOpsList().stream().map(op -> op.getMessage().getConvSeq()).toList());
        }
    }

    @Test
    void repeatedFanOutReturnsTheSameSeqAndDoesNotAdvanceTheHead() {
        try (StoreFixture store = new StoreFixture(dir)) {
            store.appendInbox(USER, entry("d:1:2", 1));
            long seq = store.appendInbox(USER, entry("d:1:2", 2)).getSeq();

            AppendInboxResponse repeat = store.appendInbox(USER, entry("d:1:2", 1));

            assertTrue(repeat.getDuplicate());
            assertFalse(repeat.getGap());
            assertEquals(1, repeat.getSeq());
            assertEquals(seq, store.readInbox(USER, 0, 0).getHeadSeq());
            assertEquals(3, store.appendInbox(USER, entry("d:1:2", 3)).getSeq());
        }
    }

    @Test
    void fanOutToAUserOutsideTheConversationIsForbidden() {
        try (StoreFixture store = new StoreFixture(dir)) {
            RpcException failure = assertThrows(RpcException.class, () -> store.appendInbox(3, entry("d:1:2", 1)));

            assertEquals(ErrorCode.FORBIDDEN, failure.code());
            assertEquals(0, store.readInbox(3, 0, 0).getHeadSeq());
        }
    }

    /**
     * Issue 15 A3: an inbox takes a group's entry only for a member of that group. The inbox's
     * SET has no group record (it lives in the group's home SET), so it trusted logic's fan-out,
     * and a mistaken fan-out wrote the group's message into the inbox of a user outside the group.
     */
    @Test
    void groupEntryForAUserOutsideTheGroupIsForbiddenAndNothingIsWritten() {
        try (StoreFixture store = new StoreFixture(dir)) {
            store.write(StoreFixture.createGroupRequest("g:1:team", List.of(1L, 2L, 3L)));
            MessageOp committed = store.appendConv(message(1, "g:1:team", "m1", "team only")).getMessage();

            RpcException failure = assertThrows(RpcException.class, () -> store.appendInbox(4, committed));

            assertEquals(ErrorCode.FORBIDDEN, failure.code(), failure.getMessage());
            assertEquals(0, store.readInbox(4, 0, 0).getHeadSeq());
        }
    }

    @Test
    void fanOutOfAnUncommittedEntryIsAnInvalidRequest() {
        try (StoreFixture store = new StoreFixture(dir)) {
            RpcException failure = assertThrows(RpcException.class, () -> store.appendInbox(USER, message(1, "d:1:2", "m1", "x")));

            assertEquals(ErrorCode.INVALID_REQUEST, failure.code());
        }
    }

    /**
     * Several threads fan out into one inbox at once, each its own conversation in conv_seq order:
     * the inbox holds exactly seqs 1..N, and each conversation keeps its order within it.
     */
    @Test
    void concurrentFanOutIntoOneInboxGivesSeqsOneToNWithoutGaps() throws Exception {
        int threadCount = 4;
        int entriesPerThread = 200;
        try (StoreFixture store = new StoreFixture(dir)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            Map<String, List<CompletableFuture<StoreResponse>>> repliesByConv = new HashMap<>();
            for (int t = 0; t < threadCount; t++) {
                String conv = "d:1:" + (t + 2);
                List<CompletableFuture<StoreResponse>> replies = new ArrayList<>();
                repliesByConv.put(conv, replies);
                threads.add(new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (long convSeq = 1; convSeq <= entriesPerThread; convSeq++) {
                        replies.add(store.pipeline.submit(appendInboxRequest(USER, entry(conv, convSeq))));
                    }
                }, "fan-out-" + conv));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(thread.isAlive(), thread.getName());
            }

            List<Long> allSeqs = new ArrayList<>();
            for (Map.Entry<String, List<CompletableFuture<StoreResponse>>> conv : repliesByConv.entrySet()) {
                assertEquals(entriesPerThread, conv.getValue().size(), conv.getKey());
                long previousSeq = 0;
                for (CompletableFuture<StoreResponse> reply : conv.getValue()) {
                    AppendInboxResponse response = await(reply).getAppendInbox();
                    assertFalse(response.getGap() || response.getDuplicate(), conv.getKey() + " " + response);
                    assertTrue(response.getSeq() > previousSeq, conv.getKey() + " keeps its order in the inbox");
                    previousSeq = response.getSeq();
                    allSeqs.add(response.getSeq());
                }
            }
            int total = threadCount * entriesPerThread;
            assertEquals(seqs(1, total), allSeqs.stream().sorted().toList());

            ReadInboxResponse inbox = store.readInbox(USER, 0, 0);
            assertEquals(total, inbox.getHeadSeq());
            assertEquals(seqs(1, total), seqsOf(inbox));
            DistributionSummary batches = store.metrics.get("synkit_store_batch_commands").summary();
            assertEquals(total, (long) batches.totalAmount(), "every command was committed in some batch");
            assertTrue(batches.max() <= StoreFixture.BATCH_COMMANDS_MAX, "batch of " + batches.max());
        }
    }

    /**
     * Group commit: while one commit is held, writes pile up in the ring; they are then committed
     * in batches of at most batchCommandsMax, far fewer commits than writes.
     */
    @Test
    void writesQueuedDuringACommitShareTheNextCommits() throws Exception {
        CountDownLatch firstCommitEntered = new CountDownLatch(1);
        CountDownLatch releaseFirstCommit = new CountDownLatch(1);
        try (StoreFixture store = new StoreFixture(dir, engine -> {
            LocalCommitter local = new LocalCommitter(engine);
            return new Committer() {
                @Override
                public long beginChain() {
                    return local.beginChain();
                }

                @Override
                public CompletableFuture<Void> commit(com.google.protobuf.ByteString batch, long chainToken) {
                    firstCommitEntered.countDown();
                    try {
                        assertTrue(releaseFirstCommit.await(30, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return local.commit(batch, chainToken);
                }
            };
        })) {
            CompletableFuture<StoreResponse> first = store.pipeline.submit(appendInboxRequest(USER, entry("d:1:2", 1)));
            assertTrue(firstCommitEntered.await(30, TimeUnit.SECONDS));
            int queued = 300;
            List<CompletableFuture<StoreResponse>> replies = new ArrayList<>();
            for (long convSeq = 2; convSeq <= queued + 1; convSeq++) {
                replies.add(store.pipeline.submit(appendInboxRequest(USER, entry("d:1:2", convSeq))));
            }
            assertFalse(replies.get(0).isDone(), "nothing is acknowledged before its commit");
            releaseFirstCommit.countDown();

            assertEquals(1, await(first).getAppendInbox().getSeq());
            for (int i = 0; i < queued; i++) {
                assertEquals(i + 2, await(replies.get(i)).getAppendInbox().getSeq());
            }
            DistributionSummary batches = store.metrics.get("synkit_store_batch_commands").summary();
            long commitsMax = 1 + (queued + StoreFixture.BATCH_COMMANDS_MAX - 1) / StoreFixture.BATCH_COMMANDS_MAX;
            assertTrue(batches.count() <= commitsMax, batches.count() + " commits for " + (queued + 1) + " writes");
            assertEquals(StoreFixture.BATCH_COMMANDS_MAX, batches.max(), 0.0);
        }
    }

    @Test
    void inboxIsReadInPagesAfterASeq() {
        try (StoreFixture store = new StoreFixture(dir)) {
            for (long convSeq = 1; convSeq <= 10; convSeq++) {
                store.appendInbox(USER, entry("d:1:2", convSeq));
            }

            assertEquals(seqs(1, 4), seqsOf(store.readInbox(USER, 0, 4)));
            assertEquals(seqs(5, 8), seqsOf(store.readInbox(USER, 4, 4)));
            ReadInboxResponse last = store.readInbox(USER, 8, 4);
            assertEquals(seqs(9, 10), seqsOf(last));
            assertEquals(10, last.getHeadSeq());
            assertEquals(List.of(), seqsOf(store.readInbox(USER, 10, 4)));
            assertEquals(List.of(), seqsOf(store.readInbox(USER, 50, 4)));
            assertEquals(List.of(), seqsOf(store.readInbox(2, 0, 4)), "another user's inbox is empty");
        }
    }

    @Test
    void pageIsCappedByTheReadLimit() {
        try (StoreFixture store = new StoreFixture(dir)) {
            for (long convSeq = 1; convSeq <= 10; convSeq++) {
                store.appendInbox(USER, entry("d:1:2", convSeq));
            }
            StoreReader capped = new StoreReader(store.engine, Clock.SYSTEM, 3);

            assertEquals(seqs(1, 3), seqsOf(capped.readInbox(ReadInboxRequest.newBuilder().setUserId(USER).setLimit(0).build())));
            assertEquals(seqs(3, 5), seqsOf(capped.readInbox(ReadInboxRequest.newBuilder().setUserId(USER).setAfterSeq(2).setLimit(100).build())));
        }
    }

    @Test
    void readOfAnInvalidUserIsRefused() {
        try (StoreFixture store = new StoreFixture(dir)) {
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> store.readInbox(0, 0, 10)).code());
        }
    }

    @Test
    void committedWritesSurviveClosingAndReopeningTheStore() {
        MessageOp sent;
        try (StoreFixture store = new StoreFixture(dir)) {
            sent = store.appendConv(message(1, "d:1:2", "m1", "durable")).getMessage();
            store.appendConv(message(2, "d:1:2", "m2", "durable too"));
            store.appendInbox(USER, sent);
            store.appendInbox(USER, entry("d:1:3", 1));
        }

        try (StoreFixture store = new StoreFixture(dir)) {
            ReadInboxResponse inbox = store.readInbox(USER, 0, 0);
            assertEquals(2, inbox.getHeadSeq());
            assertEquals(List.of(Op.newBuilder().setSeq(1).setMessage(sent).build(), Op.newBuilder().setSeq(2).setMessage(entry("d:1:3", 1)).build()),
                    inbox.getOpsList());
            assertEquals(2, store.readConv("d:1:2", 1).getHeadConvSeq());

            assertTrue(store.appendConv(message(1, "d:1:2", "m1", "retry after restart")).getDuplicate(), "send dedup survives");
            assertEquals(1, store.appendInbox(USER, sent).getSeq(), "fan-out dedup survives");
            assertEquals(3, store.appendConv(message(1, "d:1:2", "m3", "new")).getMessage().getConvSeq(), "conv head survives");
            assertEquals(3, store.appendInbox(USER, entry("d:1:3", 2)).getSeq(), "inbox head survives");
        }
    }
}

package io.synkit.store.write;

import static io.synkit.store.write.StoreFixture.appendConvRequest;
import static io.synkit.store.write.StoreFixture.appendInboxRequest;
import static io.synkit.store.write.StoreFixture.entry;
import static io.synkit.store.write.StoreFixture.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.PutRouteRequest;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.RemoveRouteRequest;
import io.synkit.protocol.internal.ReadConvResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.replication.NotPrimaryException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Pipelined commits: a batch is computed on top of the writes of batches still committing, its
 * callers hear back only after every earlier batch committed, and a batch that fails to commit
 * takes the rest of its chain with it; the next chain starts from committed state.
 */
class PipelinedCommitTest {

    private static final long USER = 7;

    @TempDir
    Path dir;

    /** Holds each batch until the test commits (applies) or refuses it, like replication would. */
    private static final class HeldCommitter implements Committer {
        record Held(byte[] data, CompletableFuture<Void> done) {
        }

        final StoreEngine engine;
        final LinkedBlockingQueue<Held> held = new LinkedBlockingQueue<>();
        /** The epoch chains begin in; a test moves it as a failover and a return to primary would. */
        volatile long epoch = 1;

        HeldCommitter(StoreEngine engine) {
            this.engine = engine;
        }

        @Override
        public long beginChain() {
            return epoch;
        }

        @Override
        public CompletableFuture<Void> commit(ByteString batchData, long chainToken) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            held.add(new Held(batchData.toByteArray(), done));
            return done;
        }

        Held next() throws InterruptedException {
            Held next = held.poll(30, TimeUnit.SECONDS);
            assertTrue(next != null, "a batch reached the committer");
            return next;
        }

        void apply(Held batch) throws RocksDBException {
            try (WriteBatch replay = new WriteBatch(batch.data())) {
                engine.writeDurably(replay);
            }
            batch.done().complete(null);
        }
    }

    @Test
    void laterBatchesBuildOnEarlierOnesAndAreAcknowledgedOnlyAfterThem() throws Exception {
        HeldCommitter[] committer = new HeldCommitter[1];
        try (StoreFixture store = new StoreFixture(dir, engine -> committer[0] = new HeldCommitter(engine), 4)) {
            CompletableFuture<StoreResponse> first = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 1)));
            HeldCommitter.Held firstBatch = committer[0].next();
            CompletableFuture<StoreResponse> second = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 2)));
            HeldCommitter.Held secondBatch = committer[0].next();

            committer[0].apply(secondBatch); // the later batch finishes first...
            assertFalse(second.isDone(), "...but is not acknowledged before the earlier one");
            committer[0].apply(firstBatch);

            assertEquals(1, first.get(30, TimeUnit.SECONDS).getAppendInbox().getSeq());
            assertEquals(2, second.get(30, TimeUnit.SECONDS).getAppendInbox().getSeq(), "computed on top of the in-flight batch");
        }
    }

    @Test
    void aRefusedBatchTakesItsChainAndTheNextChainStartsFromCommittedState() throws Exception {
        HeldCommitter[] committer = new HeldCommitter[1];
        try (StoreFixture store = new StoreFixture(dir, engine -> committer[0] = new HeldCommitter(engine), 4)) {
            CompletableFuture<StoreResponse> first = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 1)));
            HeldCommitter.Held firstBatch = committer[0].next();
            CompletableFuture<StoreResponse> second = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:9", 1)));
            HeldCommitter.Held secondBatch = committer[0].next();

            firstBatch.done().completeExceptionally(new NotPrimaryException("stepped down", "127.0.0.1:1"));
            secondBatch.done().complete(null); // even if it claims success, it sat on a lost predecessor

            assertRefused(first);
            assertRefused(second);
            CompletableFuture<StoreResponse> retry = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 1)));
            committer[0].apply(committer[0].next());
            assertEquals(1, retry.get(30, TimeUnit.SECONDS).getAppendInbox().getSeq(), "a new chain counts from committed state");
        }
    }

    /** The writer's memory of conversation heads counts the lost batch's entry no more than the store does. */
    @Test
    void aRefusedBatchLeavesNoConversationHeadBehind() throws Exception {
        HeldCommitter[] committer = new HeldCommitter[1];
        try (StoreFixture store = new StoreFixture(dir, engine -> committer[0] = new HeldCommitter(engine), 4)) {
            CompletableFuture<StoreResponse> lost = store.pipeline.submit(appendConvRequest(message(USER, "d:7:8", "m1", "lost")));
            committer[0].next().done().completeExceptionally(new NotPrimaryException("stepped down", "127.0.0.1:1"));
            assertRefused(lost);

            CompletableFuture<StoreResponse> next = store.pipeline.submit(appendConvRequest(message(USER, "d:7:8", "m2", "next")));
            committer[0].apply(committer[0].next());
            assertEquals(1, next.get(30, TimeUnit.SECONDS).getAppendConv().getMessage().getConvSeq(), "the lost entry's conv_seq is given again");
        }
    }

    /**
     * A replica primary again in a later epoch appends after what other primaries appended
     * meanwhile (here entry 2, arriving as committed bytes the way a backup applies them), not
     * after what it remembers of its own last epoch: that would overwrite entry 2.
     */
    @Test
    void aChainOfALaterEpochAppendsAfterWhatOtherPrimariesAppended() throws Exception {
        HeldCommitter[] committer = new HeldCommitter[1];
        try (StoreFixture store = new StoreFixture(dir, engine -> committer[0] = new HeldCommitter(engine), 4)) {
            CompletableFuture<StoreResponse> first = store.pipeline.submit(appendConvRequest(message(USER, "d:7:8", "m1", "mine")));
            committer[0].apply(committer[0].next());
            assertEquals(1, first.get(30, TimeUnit.SECONDS).getAppendConv().getMessage().getConvSeq());

            try (CommandBatch otherPrimary = new CommandBatch(store.engine, Clock.SYSTEM); WriteBatch applied = new WriteBatch(
                    appendedBy(otherPrimary, appendConvRequest(message(8, "d:7:8", "m2", "theirs"))))) {
                store.engine.writeDurably(applied);
            }
            committer[0].epoch = 3;

            CompletableFuture<StoreResponse> third = store.pipeline.submit(appendConvRequest(message(USER, "d:7:8", "m3", "mine again")));
            committer[0].apply(committer[0].next());
            assertEquals(3, third.get(30, TimeUnit.SECONDS).getAppendConv().getMessage().getConvSeq());
            ReadConvResponse conversation = store.reader.readConv(ReadConvRequest.newBuilder().setConvId("d:7:8").setFromConvSeq(1).build());
            assertEquals(List.of("mine", "theirs", "mine again"), conversation.getMessagesList().stream().map(m -> m.getBody().toStringUtf8()).toList());
        }
    }

    /** The same for inboxes: after another primary's inbox entry, a later epoch's append takes the next seq. */
    @Test
    void aChainOfALaterEpochAppendsToAnInboxAfterWhatOtherPrimariesAppended() throws Exception {
        HeldCommitter[] committer = new HeldCommitter[1];
        try (StoreFixture store = new StoreFixture(dir, engine -> committer[0] = new HeldCommitter(engine), 4)) {
            CompletableFuture<StoreResponse> first = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 1)));
            committer[0].apply(committer[0].next());
            assertEquals(1, first.get(30, TimeUnit.SECONDS).getAppendInbox().getSeq());

            try (CommandBatch otherPrimary = new CommandBatch(store.engine, Clock.SYSTEM); WriteBatch applied = new WriteBatch(
                    appendedBy(otherPrimary, appendInboxRequest(USER, entry("d:7:8", 2))))) {
                store.engine.writeDurably(applied);
            }
            committer[0].epoch = 3;

            CompletableFuture<StoreResponse> third = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 3)));
            committer[0].apply(committer[0].next());
            StoreResponse answer = third.get(30, TimeUnit.SECONDS);
            assertFalse(answer.getAppendInbox().getGap(), "conv_seq 3 follows the 2 another primary appended: " + answer);
            assertEquals(3, answer.getAppendInbox().getSeq());
        }
    }

    private static byte[] appendedBy(CommandBatch batch, StoreRequest request) {
        batch.apply(request);
        return batch.data();
    }

    /**
     * A login commits its device's route in one batch while the next batch, computed on top of it,
     * appends to the user's inbox: the append must name that route, or logic notifies nobody of the
     * entry. The device's sync after its login may well have read the inbox before the entry
     * committed (its login was acknowledged first), so that notify is the only thing telling it. The
     * append read the routes from committed state only, missing the in-flight login's; in a CI
     * reconnect storm one acknowledged message stayed unsynced for the whole wait. A removal in
     * flight is seen the same way.
     */
    @Test
    void anInboxAppendNamesTheRoutesOfLoginsAndRemovalsStillCommittingBeforeIt() throws Exception {
        HeldCommitter[] committer = new HeldCommitter[1];
        try (StoreFixture store = new StoreFixture(dir, engine -> committer[0] = new HeldCommitter(engine), 4)) {
            DeviceRoute phone = DeviceRoute.newBuilder().setDeviceId("phone").setAccessNode("access-2").setConnId(11).build();
            DeviceRoute tablet = DeviceRoute.newBuilder().setDeviceId("tablet").setAccessNode("access-1").setConnId(12).build();
            CompletableFuture<StoreResponse> tabletLogin = store.pipeline.submit(putRoute(tablet));
            committer[0].apply(committer[0].next());
            tabletLogin.get(30, TimeUnit.SECONDS);

            CompletableFuture<StoreResponse> login = store.pipeline.submit(putRoute(phone));
            HeldCommitter.Held loginBatch = committer[0].next();
            CompletableFuture<StoreResponse> logout = store.pipeline.submit(StoreRequest.newBuilder()
                    .setRemoveRoute(RemoveRouteRequest.newBuilder().setUserId(USER).setRoute(tablet)).build());
            HeldCommitter.Held logoutBatch = committer[0].next();
            CompletableFuture<StoreResponse> append = store.pipeline.submit(appendInboxRequest(USER, entry("d:7:8", 1)));
            HeldCommitter.Held appendBatch = committer[0].next();
            committer[0].apply(loginBatch);
            committer[0].apply(logoutBatch);
            committer[0].apply(appendBatch);

            login.get(30, TimeUnit.SECONDS);
            logout.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(phone), append.get(30, TimeUnit.SECONDS).getAppendInbox().getRoutesList(),
                    "the login committing before the append is named, the removal too");
        }
    }

    private static StoreRequest putRoute(DeviceRoute route) {
        return StoreRequest.newBuilder().setPutRoute(PutRouteRequest.newBuilder().setUserId(USER).setRoute(route)).build();
    }

    private static void assertRefused(CompletableFuture<StoreResponse> reply) {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> reply.get(30, TimeUnit.SECONDS));
        RpcException error = (RpcException) failure.getCause();
        assertEquals("127.0.0.1:1", error.error().getPrimaryHint(), error.getMessage());
    }
}

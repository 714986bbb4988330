package io.synkit.store.replication.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.store.replication.HandOverException;
import io.synkit.store.replication.NotPrimaryException;
import io.synkit.store.replication.ReplicaRole;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A primary hands its role to a backup on request (a planned restart): writes and reads stop at
 * once, the backup catches up, gets TimeoutNow and stands without waiting out an election
 * timeout; every write the old primary took is acknowledged and held by the new one. Virtual time,
 * 10 ms per step; the minimum election timeout is 500 ms ({@link ReplicationSimulation#SETTINGS}).
 */
class HandOverTest {

    private static final long ELECTION_TIMEOUT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(ReplicationSimulation.SETTINGS.electionTimeoutMinMs());

    /** Messages from this replica to that one are dropped while both are >= 0. */
    private int cutFrom = -1;
    private int cutTo = -1;
    private boolean dropTimeoutNow;

    @Test
    void primaryHandsOverToAnUpToDateBackupWithinAFewStepsAndNoWriteIsLost() {
        SteppedSet set = new SteppedSet(19, this::carry);
        int primary = set.electPrimary();
        set.runFor(TimeUnit.MILLISECONDS.toNanos(300));
        long epochBefore = set.nodes[primary].epoch();
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int w = 0; w < 5; w++) {
            writes.add(set.nodes[primary].propose(ByteString.copyFromUtf8("before-" + w)));
        }

        CompletableFuture<Integer> handedOver = set.nodes[primary].handOver(-1);
        long startNs = set.nowNs();
        int newPrimary = -1;
        while (newPrimary < 0 && set.nowNs() - startNs < ELECTION_TIMEOUT_MIN_NS) {
            set.advance();
            newPrimary = set.writablePrimary();
        }

        assertTrue(newPrimary >= 0 && newPrimary != primary, "a backup became a writable primary before an election timeout could pass");
        assertTrue(set.nowNs() - startNs <= TimeUnit.MILLISECONDS.toNanos(50), "within a few steps: " + (set.nowNs() - startNs) / 1_000_000 + " ms");
        assertEquals(newPrimary, handedOver.join(), "the hand-over names the new primary");
        assertEquals(epochBefore + 1, set.nodes[newPrimary].epoch());
        assertEquals(ReplicaRole.BACKUP, set.nodes[primary].role(), "the old primary stepped down");
        for (CompletableFuture<Long> write : writes) {
            assertTrue(write.isDone() && !write.isCompletedExceptionally(), "every write the old primary took was acknowledged");
            assertTrue(set.states[newPrimary].at(write.join()).getPayload().toStringUtf8().startsWith("before-"), "and the new primary holds it");
        }
        CompletableFuture<Long> after = set.nodes[newPrimary].propose(ByteString.copyFromUtf8("after"));
        set.runFor(TimeUnit.MILLISECONDS.toNanos(100));
        assertTrue(after.isDone() && !after.isCompletedExceptionally(), "the new primary takes writes");
        assertEquals(List.of(), set.thrown);
    }

    @Test
    void aPrimaryHandingOverTakesNoWritesAndServesNoReadsFromTheMomentItIsAsked() {
        SteppedSet set = new SteppedSet(20, this::carry);
        int primary = set.electPrimary();
        set.runFor(TimeUnit.MILLISECONDS.toNanos(300));
        assertTrue(set.nodes[primary].leaseValid(), "the primary holds its lease before");

        set.nodes[primary].handOver(-1);

        assertFalse(set.nodes[primary].leaseValid(), "its lease ends with the request, before any TimeoutNow exists");
        assertFalse(set.nodes[primary].writable());
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> set.nodes[primary].propose(ByteString.copyFromUtf8("late")).join());
        NotPrimaryException notPrimary = assertInstanceOf(NotPrimaryException.class, refused.getCause());
        assertTrue(notPrimary.getMessage().contains("handing over to replica"), notPrimary.getMessage());
        assertTrue(notPrimary.primaryHint().matches("r[0-2]") && !notPrimary.primaryHint().equals("r" + primary),
                "refused callers are sent to the target: " + notPrimary.primaryHint());
    }

    @Test
    void aTargetThatCannotCatchUpEndsTheHandOverAndThePrimaryTakesWritesAgainInItsEpoch() {
        SteppedSet set = new SteppedSet(21, this::carry);
        int primary = set.electPrimary();
        set.runFor(TimeUnit.MILLISECONDS.toNanos(300));
        int target = (primary + 1) % SteppedSet.REPLICAS;
        long epoch = set.nodes[primary].epoch();
        cutFrom = primary;
        cutTo = target;
        CompletableFuture<Long> write = set.nodes[primary].propose(ByteString.copyFromUtf8("the target never gets this"));

        CompletableFuture<Integer> handedOver = set.nodes[primary].handOver(target);
        set.runFor(ELECTION_TIMEOUT_MIN_NS + TimeUnit.MILLISECONDS.toNanos(20));

        CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, handedOver::join);
        assertInstanceOf(HandOverException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("did not catch up within 500 ms"), failed.getCause().getMessage());
        assertEquals(ReplicaRole.PRIMARY, set.nodes[primary].role());
        assertEquals(epoch, set.nodes[primary].epoch(), "no election happened");
        assertTrue(set.nodes[primary].writable(), "writes resumed");
        assertTrue(write.isDone() && !write.isCompletedExceptionally(), "the write committed with the other backup");
    }

    @Test
    void aLostTimeoutNowCostsOneElectionAndLosesNoWrite() {
        SteppedSet set = new SteppedSet(22, this::carry);
        int primary = set.electPrimary();
        set.runFor(TimeUnit.MILLISECONDS.toNanos(300));
        CompletableFuture<Long> write = set.nodes[primary].propose(ByteString.copyFromUtf8("kept"));
        dropTimeoutNow = true;

        set.nodes[primary].handOver(-1);
        set.runFor(TimeUnit.MILLISECONDS.toNanos(3000));

        int newPrimary = set.writablePrimary();
        assertTrue(newPrimary >= 0, "the SET elected a primary the usual way");
        assertEquals("kept", set.states[newPrimary].at(write.join()).getPayload().toStringUtf8());
        assertEquals(List.of(), set.thrown);
    }

    @Test
    void onlyAWritablePrimaryHandsOverAndOnlyToAReplicaOfItsSet() {
        SteppedSet set = new SteppedSet(23, this::carry);
        int primary = set.electPrimary();
        int backup = (primary + 1) % SteppedSet.REPLICAS;

        assertInstanceOf(HandOverException.class, set.nodes[backup].handOver(-1).handle((ok, failure) -> failure).join());
        assertInstanceOf(HandOverException.class, set.nodes[primary].handOver(primary).handle((ok, failure) -> failure).join());
        assertInstanceOf(HandOverException.class, set.nodes[primary].handOver(SteppedSet.REPLICAS).handle((ok, failure) -> failure).join());
        set.nodes[primary].handOver(backup);
        Throwable second = set.nodes[primary].handOver(backup).handle((ok, failure) -> failure).join();
        assertTrue(second instanceof HandOverException && second.getMessage().contains("already"), String.valueOf(second));
    }

    private ReplicationMessage carry(int from, int to, ReplicationMessage message) {
        if (from == cutFrom && to == cutTo) {
            return null;
        }
        if (dropTimeoutNow && message.hasTimeoutNow()) {
            return null;
        }
        return message;
    }
}

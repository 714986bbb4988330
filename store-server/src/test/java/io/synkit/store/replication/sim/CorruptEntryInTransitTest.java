package io.synkit.store.replication.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.runtime.Clock;
import io.synkit.store.replication.ReplicaNode;
import io.synkit.store.replication.ReplicaRole;
import io.synkit.store.replication.Snapshots;
import io.synkit.store.replication.StateMachine;
import io.synkit.store.replication.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An entry damaged on the wire (its CRC no longer matches) is the network's fault, not the
 * backup's disk: the backup refuses the message, the primary sends the entries again, and the
 * backup catches up; nobody stops.
 */
class CorruptEntryInTransitTest {

    private static final int REPLICAS = 3;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int DELIVERIES_MAX = 100_000;

    private final ReplicaNode[] nodes = new ReplicaNode[REPLICAS];
    private final SimState[] states = new SimState[REPLICAS];
    private final ArrayDeque<Runnable> network = new ArrayDeque<>();
    private final List<ReplicationMessage> repliesToPrimary = new ArrayList<>();
    private long nowNs;
    /** The replica whose next incoming append with entries is damaged in transit; -1 for none. */
    private int damageNextAppendTo = -1;
    private int damaged;
    private final List<String> thrown = new ArrayList<>();

    @Test
    void backupRefusesAnEntryDamagedInTransitAndCatchesUpFromTheResend() {
        long seed = 15;
        System.out.println("seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int id = 0; id < REPLICAS; id++) {
            states[id] = new SimState(random.split());
            nodes[id] = node(id, random.split());
        }
        int primary = electPrimary();
        int backup = (primary + 1) % REPLICAS;
        // Wait until the new primary's first entry is applied everywhere, so only the next write is in flight.
        runFor(TimeUnit.MILLISECONDS.toNanos(300));
        long before = nodes[backup].appliedIndex();

        damageNextAppendTo = backup;
        CompletableFuture<Long> written = nodes[primary].propose(ByteString.copyFromUtf8("hello"));
        runFor(TimeUnit.MILLISECONDS.toNanos(500));

        assertEquals(1, damaged, "one append was damaged in transit");
        assertNotEquals(ReplicaRole.STOPPED, nodes[backup].role(), "the backup that received the damaged entry keeps serving");
        assertNull(nodes[backup].stopReason(), "the backup did not stop");
        assertEquals(List.of(), thrown, "no replica threw");
        assertTrue(written.isDone() && !written.isCompletedExceptionally(), "the write committed");
        long index = written.join();
        assertEquals(before + 1, index);
        assertTrue(nodes[backup].appliedIndex() >= index, "the backup caught up from the resend: applied " + nodes[backup].appliedIndex());
        assertEquals("hello", states[backup].at(index).getPayload().toStringUtf8(), "the backup holds the entry as the primary wrote it");
        assertTrue(repliesToPrimary.stream().anyMatch(reply -> reply.getFrom() == backup && !reply.getAppendReply().getSuccess()
                && reply.getAppendReply().getCorruptIndex() == index), "the backup refused the damaged append naming the damaged entry");
    }

    private ReplicaNode node(int id, SplittableRandom random) {
        Clock clock = new Clock() {
            @Override
            public long nowMs() {
                return nowNs / 1_000_000;
            }

            @Override
            public long nanoTime() {
                return nowNs;
            }
        };
        Transport transport = new Transport() {
            @Override
            public void send(int toReplica, ReplicationMessage message) {
                CorruptEntryInTransitTest.this.send(id, toReplica, message);
            }

            @Override
            public String addressOf(int replica) {
                return "r" + replica;
            }
        };
        return new ReplicaNode(id, ReplicationSimulation.SETTINGS, clock, random, transport, new SimLog(random.split()), new Applied(states[id]),
                new NoSnapshots(), false);
    }

    private void send(int from, int to, ReplicationMessage message) {
        ReplicationMessage delivered = message;
        if (to == damageNextAppendTo && message.hasAppend() && message.getAppend().getEntriesCount() > 0) {
            delivered = damaged(message);
            damageNextAppendTo = -1;
            damaged++;
        }
        if (message.hasAppendReply()) {
            repliesToPrimary.add(message);
        }
        ReplicationMessage arriving = delivered;
        network.add(() -> {
            try {
                nodes[to].receive(arriving);
            } catch (RuntimeException e) {
                thrown.add("r" + to + ": " + e);
            }
        });
    }

    /** Flips a bit of the first entry's payload and leaves its CRC as it was. */
    private static ReplicationMessage damaged(ReplicationMessage message) {
        AppendEntries append = message.getAppend();
        Entry first = append.getEntries(0);
        byte[] payload = first.getPayload().toByteArray();
        payload[0] ^= 0x01;
        Entry broken = first.toBuilder().setPayload(ByteString.copyFrom(payload)).build();
        return message.toBuilder().setAppend(append.toBuilder().setEntries(0, broken)).build();
    }

    private int electPrimary() {
        for (int step = 0; step < 1000; step++) {
            for (int id = 0; id < REPLICAS; id++) {
                if (nodes[id].role() == ReplicaRole.PRIMARY && nodes[id].writable()) {
                    return id;
                }
            }
            advance();
        }
        throw new AssertionError("no primary within 10 s of virtual time");
    }

    private void runFor(long durationNs) {
        long endNs = nowNs + durationNs;
        while (nowNs < endNs) {
            advance();
        }
    }

    /** One tick on every replica, then every message until the network is quiet. */
    private void advance() {
        nowNs += TICK_NS;
        for (ReplicaNode node : nodes) {
            node.tick();
        }
        for (int delivered = 0; !network.isEmpty(); delivered++) {
            assertTrue(delivered < DELIVERIES_MAX, "the network never went quiet");
            network.poll().run();
        }
    }

    /** A state machine over a simulated disk. */
    private static final class Applied implements StateMachine {
        private final SimState state;

        Applied(SimState state) {
            this.state = state;
        }

        @Override
        public long appliedIndex() {
            return state.applied();
        }

        @Override
        public long appliedEpoch() {
            return state.appliedEpoch();
        }

        @Override
        public void apply(Entry entry) {
            state.add(entry);
        }

        @Override
        public void persist() {
            state.persist();
        }

        @Override
        public boolean needsCatchUp() {
            return state.needsCatchUp();
        }

        @Override
        public void needsCatchUp(boolean value) {
            state.needsCatchUp(value);
        }
    }

    /** No log is truncated here, so no snapshot is ever needed. */
    private static final class NoSnapshots implements Snapshots {
        @Override
        public void ship(int peer, long epoch) {
            throw new AssertionError("no snapshot expected");
        }

        @Override
        public void acknowledged(int peer, SnapshotReply reply) {
            throw new AssertionError("no snapshot expected");
        }

        @Override
        public void resend(int peer) {
            throw new AssertionError("no snapshot expected");
        }

        @Override
        public void cancel(int peer) {
        }

        @Override
        public boolean stage(SnapshotChunk chunk) {
            throw new AssertionError("no snapshot expected");
        }

        @Override
        public void install(long snapshotIndex, long snapshotEpoch) {
            throw new AssertionError("no snapshot expected");
        }
    }
}

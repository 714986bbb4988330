package io.synkit.store.replication.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.TimeUnit;

/**
 * A SET of 3 production {@link ReplicaNode}s in lockstep virtual time, for tests that stage one
 * situation exactly: each {@link #advance()} ticks every replica once (10 ms) and then delivers
 * every message until the network is quiet. What a message becomes on the way is the test's
 * {@link Wire}. No log is truncated, so no snapshot is ever needed.
 */
final class SteppedSet {

    static final int REPLICAS = 3;
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int DELIVERIES_MAX = 100_000;

    /** What the network does to one message: the message to deliver (changed or not), or null to drop it. */
    interface Wire {
        ReplicationMessage carry(int from, int to, ReplicationMessage message);
    }

    final ReplicaNode[] nodes = new ReplicaNode[REPLICAS];
    final SimState[] states = new SimState[REPLICAS];
    /** What replicas threw while receiving: a test expects none. */
    final List<String> thrown = new ArrayList<>();
    private final ArrayDeque<Runnable> network = new ArrayDeque<>();
    private final Wire wire;
    private long nowNs;

    SteppedSet(long seed, Wire wire) {
        System.out.println("seed=" + seed);
        this.wire = wire;
        SplittableRandom random = new SplittableRandom(seed);
        for (int id = 0; id < REPLICAS; id++) {
            states[id] = new SimState(random.split());
            nodes[id] = node(id, random.split());
        }
    }

    long nowNs() {
        return nowNs;
    }

    /** Advances until some replica is a writable primary; returns it. */
    int electPrimary() {
        for (int step = 0; step < 1000; step++) {
            int primary = writablePrimary();
            if (primary >= 0) {
                return primary;
            }
            advance();
        }
        throw new AssertionError("no primary within 10 s of virtual time");
    }

    /** The replica that is a writable primary now, or -1. */
    int writablePrimary() {
        for (int id = 0; id < REPLICAS; id++) {
            if (nodes[id].role() == ReplicaRole.PRIMARY && nodes[id].writable()) {
                return id;
            }
        }
        return -1;
    }

    void runFor(long durationNs) {
        long endNs = nowNs + durationNs;
        while (nowNs < endNs) {
            advance();
        }
    }

    /** One tick on every replica, then every message until the network is quiet. */
    void advance() {
        nowNs += TICK_NS;
        for (ReplicaNode node : nodes) {
            node.tick();
        }
        for (int delivered = 0; !network.isEmpty(); delivered++) {
            assertTrue(delivered < DELIVERIES_MAX, "the network never went quiet");
            network.poll().run();
        }
    }

    private void send(int from, int to, ReplicationMessage message) {
        ReplicationMessage arriving = wire.carry(from, to, message);
        if (arriving == null) {
            return;
        }
        network.add(() -> {
            try {
                nodes[to].receive(arriving);
            } catch (RuntimeException e) {
                thrown.add("r" + to + ": " + e);
            }
        });
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
                SteppedSet.this.send(id, toReplica, message);
            }

            @Override
            public String addressOf(int replica) {
                return "r" + replica;
            }
        };
        return new ReplicaNode(id, ReplicationSimulation.SETTINGS, clock, random, transport, new SimLog(random.split()), new Applied(states[id]),
                new NoSnapshots(), false);
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

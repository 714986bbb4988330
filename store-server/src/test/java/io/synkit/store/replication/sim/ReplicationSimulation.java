package io.synkit.store.replication.sim;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.runtime.Clock;
import io.synkit.store.replication.ReplicaNode;
import io.synkit.store.replication.ReplicaRole;
import io.synkit.store.replication.ReplicaSettings;
import io.synkit.store.replication.Snapshots;
import io.synkit.store.replication.StateMachine;
import io.synkit.store.replication.Transport;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One seeded run of a 3-replica SET under faults, in virtual time: the production
 * {@link ReplicaNode} with injected clocks (each running a little fast or slow), a network that
 * delays, reorders, duplicates, drops and partitions, and disks that lose unsynced writes on
 * crash and fail fsyncs. Faults: crash-and-restart, pause-and-resume (a zombie primary),
 * partitions, fsync failures, and a wiped disk (the replica rejoins empty); besides, an operator
 * asks whichever replica is a writable primary to hand its role over, during the faults and after
 * the heal. Logs are truncated
 * often, so lagging and wiped replicas catch up through snapshots. Invariants are checked after every event; a violation throws
 * {@link SimulationFailure} with the seed and the last events. The same seed replays exactly.
 */
final class ReplicationSimulation {

    static final int REPLICAS = 3;
    static final long RUN_NS = TimeUnit.SECONDS.toNanos(20);
    static final long HEAL_NS = TimeUnit.SECONDS.toNanos(8);
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long COMPACT_EVERY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    static final int EVENTS_MAX = 2_000_000;
    static final int TRACE_LINES = 60;
    private static final long HAND_OVER_SEED_SALT = 0x19_0000_0019L;

    private final long seed;
    private final SplittableRandom random;
    static final ReplicaSettings SETTINGS = ReplicaSettings.defaults().withTimingMs(50, 500, 1000, 350).withAppendMax(64, 1 << 20);
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final SimReplica[] replicas = new SimReplica[REPLICAS];
    private final boolean[][] cut = new boolean[REPLICAS][REPLICAS];
    private final Map<Long, Integer> primaryOfEpoch = new HashMap<>();
    private final Map<Long, Entry> committed = new HashMap<>();
    private final Map<Long, String> ackedPayloadAtIndex = new HashMap<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long nowNs;
    private long eventSeq;
    private long events;
    private long proposals;
    private long acks;
    private long maxAckedIndex;
    private long maxCommittedEpoch;
    private long leaseReads;
    private long snapshotsInstalled;
    private long wipes;
    private long handOversRequested;
    private long handOversDone;
    private final long retainEntries;
    private final long lagEntriesMax;
    private final double dropRate;
    private final double duplicateRate;
    private final long delayMaxNs;
    /**
     * Per 500 ms window of the fault phase: whether the client writes (quiet windows leave logs
     * equal, which is when leases matter). After the heal the client always writes.
     */
    private final boolean[] writeWindows = new boolean[64];

    ReplicationSimulation(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.dropRate = random.nextDouble() * 0.1;
        this.duplicateRate = random.nextDouble() * 0.05;
        this.delayMaxNs = TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(30));
        this.retainEntries = random.nextInt(30);
        this.lagEntriesMax = 20 + random.nextInt(400);
        double writeShare = 0.3 + random.nextDouble() * 0.7;
        for (int w = 0; w < writeWindows.length; w++) {
            writeWindows[w] = random.nextDouble() < writeShare;
        }
    }

    /** Summary of a passed run. */
    record Outcome(long seed, long events, long proposals, long acks, long leaseReads, long committedIndex, long epochs, long snapshotsInstalled,
                   long wipes, long handOversRequested, long handOversDone) {
    }

    Outcome run() {
        for (int i = 0; i < REPLICAS; i++) {
            replicas[i] = new SimReplica(i, 1.0 + (random.nextDouble() - 0.5) * 0.02);
            replicas[i].start();
            scheduleTick(i, random.nextLong(TICK_NS));
            scheduleCompaction(i, random.nextLong(COMPACT_EVERY_NS));
        }
        scheduleFaults();
        at(0, this::clientStep);
        while (!queue.isEmpty() && events < EVENTS_MAX) {
            Event event = queue.poll();
            nowNs = event.timeNs;
            events++;
            try {
                event.action.run();
            } catch (SimulationFailure e) {
                throw e;
            } catch (RuntimeException e) {
                fail("replica code threw " + e);
            }
            checkInvariants();
            if (nowNs > RUN_NS + HEAL_NS) {
                break;
            }
        }
        checkConverged();
        return new Outcome(seed, events, proposals, acks, leaseReads, committed.size(), primaryOfEpoch.size(), snapshotsInstalled, wipes,
                handOversRequested, handOversDone);
    }

    // ------------------------------------------------------------------ faults

    private void scheduleFaults() {
        int faults = 2 + random.nextInt(8);
        for (int f = 0; f < faults; f++) {
            long atNs = TimeUnit.MILLISECONDS.toNanos(500) + random.nextLong(RUN_NS - TimeUnit.SECONDS.toNanos(2));
            long forNs = TimeUnit.MILLISECONDS.toNanos(200 + random.nextInt(4000));
            int target = random.nextInt(REPLICAS);
            switch (random.nextInt(7)) {
                case 0 -> at(atNs, () -> crash(target, forNs));
                case 1 -> at(atNs, () -> pause(target, forNs));
                case 2 -> at(atNs, () -> isolate(target, forNs));
                case 3 -> at(atNs, () -> failSync(target, forNs));
                case 4 -> at(atNs, () -> cutOneWay(target, (target + 1 + random.nextInt(REPLICAS - 1)) % REPLICAS, forNs));
                case 5 -> at(atNs, () -> wipe(target, forNs));
                default -> at(atNs, () -> cutBetween(target, (target + 1 + random.nextInt(REPLICAS - 1)) % REPLICAS, forNs));
            }
        }
        at(RUN_NS, this::healAll);
        scheduleHandOvers();
    }

    /**
     * One to three hand-over requests at random times, faults or not, from a random of their own
     * (derived from the seed) so the fault schedule of a seed stays what it was before hand-overs.
     */
    private void scheduleHandOvers() {
        SplittableRandom handOverRandom = new SplittableRandom(seed ^ HAND_OVER_SEED_SALT);
        int count = 1 + handOverRandom.nextInt(3);
        for (int h = 0; h < count; h++) {
            long atNs = TimeUnit.MILLISECONDS.toNanos(500) + handOverRandom.nextLong(RUN_NS + HEAL_NS - TimeUnit.SECONDS.toNanos(5));
            int target = handOverRandom.nextInt(REPLICAS + 1) - 1; // -1: the most up-to-date backup; the primary itself is refused
            at(atNs, () -> requestHandOver(target));
        }
    }

    private void requestHandOver(int target) {
        for (SimReplica replica : replicas) {
            if (replica.running(nowNs) && replica.node.writable()) {
                note("hand-over asked of r" + replica.id + " (e" + replica.node.epoch() + ") to " + (target < 0 ? "its most up-to-date backup" : "r" + target));
                handOversRequested++;
                replica.node.handOver(target).whenComplete((to, failure) -> {
                    if (failure == null) {
                        handOversDone++;
                        note("r" + replica.id + " handed over to r" + to);
                    } else {
                        note("hand-over of r" + replica.id + " ended: " + failure.getMessage());
                    }
                });
                return;
            }
        }
    }

    private void crash(int target, long forNs) {
        SimReplica replica = replicas[target];
        if (!replica.up) {
            return;
        }
        note("crash r" + target + " for " + forNs / 1_000_000 + "ms");
        replica.down();
        at(nowNs + forNs, () -> restart(target));
    }

    private void restart(int target) {
        SimReplica replica = replicas[target];
        if (replica.up) {
            return;
        }
        note("restart r" + target + (replica.joining ? " (joining with an empty disk)" : ""));
        replica.start();
        scheduleTick(target, TICK_NS);
        scheduleCompaction(target, COMPACT_EVERY_NS);
    }

    /**
     * The replica's disk is lost: it comes back empty and joining. Only while every replica holds
     * all it acknowledged (none is still catching up): two lost disks of three may lose data by
     * design.
     */
    private void wipe(int target, long forNs) {
        for (SimReplica replica : replicas) {
            if (replica.state.needsCatchUp() || replica.joining) {
                return;
            }
        }
        SimReplica replica = replicas[target];
        note("wipe r" + target + " (" + (replica.up ? replica.node.role() + " e" + replica.node.epoch() : "down") + ") for "
                + forNs / 1_000_000 + "ms");
        wipes++;
        if (replica.up) {
            replica.down();
        }
        replica.log = new SimLog(random.split());
        replica.state = new SimState(random.split());
        replica.joining = true;
        at(nowNs + forNs, () -> restart(target));
    }

    private void pause(int target, long forNs) {
        SimReplica replica = replicas[target];
        if (!replica.up || replica.pausedUntilNs > nowNs) {
            return;
        }
        note("pause r" + target + " (" + replica.node.role() + " e" + replica.node.epoch() + ") for " + forNs / 1_000_000 + "ms");
        replica.pausedUntilNs = nowNs + forNs;
    }

    private void isolate(int target, long forNs) {
        note("isolate r" + target + " for " + forNs / 1_000_000 + "ms");
        for (int other = 0; other < REPLICAS; other++) {
            cut[target][other] = true;
            cut[other][target] = true;
        }
        at(nowNs + forNs, () -> {
            note("reconnect r" + target);
            for (int other = 0; other < REPLICAS; other++) {
                cut[target][other] = false;
                cut[other][target] = false;
            }
        });
    }

    private void cutOneWay(int from, int to, long forNs) {
        note("cut r" + from + "->r" + to + " for " + forNs / 1_000_000 + "ms");
        cut[from][to] = true;
        at(nowNs + forNs, () -> cut[from][to] = false);
    }

    /** A partial partition: two replicas cannot talk, each still talks to the third. */
    private void cutBetween(int a, int b, long forNs) {
        note("cut r" + a + "<->r" + b + " for " + forNs / 1_000_000 + "ms");
        cut[a][b] = true;
        cut[b][a] = true;
        at(nowNs + forNs, () -> {
            cut[a][b] = false;
            cut[b][a] = false;
        });
    }

    private void failSync(int target, long restartAfterNs) {
        SimReplica replica = replicas[target];
        if (!replica.up) {
            return;
        }
        note("fsync will fail on r" + target);
        replica.log.failNextSync();
        at(nowNs + restartAfterNs, () -> {
            if (replica.up && replica.node.role() == ReplicaRole.STOPPED) {
                note("operator restarts stopped r" + target + " (" + replica.node.stopReason() + ")");
                replica.down();
                restart(target);
            }
        });
    }

    private void healAll() {
        note("heal all");
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        for (int i = 0; i < REPLICAS; i++) {
            SimReplica replica = replicas[i];
            replica.pausedUntilNs = 0;
            replica.log.disarm();
            if (replica.up && replica.node.role() == ReplicaRole.STOPPED) {
                replica.down();
            }
            if (!replica.up) {
                restart(i);
            }
        }
    }

    // ------------------------------------------------------------------ client

    private void clientStep() {
        if (nowNs < RUN_NS + HEAL_NS - TimeUnit.SECONDS.toNanos(3)) {
            at(nowNs + TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(8)), this::clientStep);
        }
        SimReplica replica = replicas[random.nextInt(REPLICAS)];
        if (!replica.running(nowNs)) {
            return;
        }
        if (replica.node.leaseValid()) {
            leaseReads++;
            // Fencing: once a later epoch has committed anything, the old primary's lease must be over.
            if (maxCommittedEpoch > replica.node.epoch()) {
                fail("deposed primary r" + replica.id + " (epoch " + replica.node.epoch() + ") serves a read under its lease after epoch "
                        + maxCommittedEpoch + " committed");
            }
            // A lease read must see every write acknowledged before it (linearizable reads).
            if (replica.machine.appliedIndex() < maxAckedIndex) {
                fail("stale read: r" + replica.id + " (epoch " + replica.node.epoch() + ") serves applied index " + replica.machine.appliedIndex()
                        + " under its lease, but index " + maxAckedIndex + " was already acknowledged");
            }
        }
        boolean healed = nowNs >= RUN_NS;
        if (replica.node.writable() && (healed || writeWindows[(int) Math.min(writeWindows.length - 1, nowNs / 500_000_000L)])) {
            String payload = "w" + (++proposals);
            long proposedInEpoch = replica.node.epoch();
            replica.node.propose(ByteString.copyFromUtf8(payload)).whenComplete((index, failure) -> {
                if (failure == null) {
                    acked(replica.id, proposedInEpoch, index, payload);
                }
            });
        }
    }

    private void acked(int replicaId, long epoch, long index, String payload) {
        acks++;
        Entry entry = committed.get(index);
        if (entry == null || !entry.getPayload().toStringUtf8().equals(payload)) {
            fail("r" + replicaId + " acked '" + payload + "' at index " + index + " in epoch " + epoch + " but the committed entry there is "
                    + (entry == null ? "missing" : "'" + entry.getPayload().toStringUtf8() + "'"));
        }
        ackedPayloadAtIndex.put(index, payload);
        maxAckedIndex = Math.max(maxAckedIndex, index);
    }

    // ------------------------------------------------------------------ invariants

    private void checkInvariants() {
        for (SimReplica replica : replicas) {
            if (!replica.up) {
                continue;
            }
            ReplicaNode node = replica.node;
            if (node.role() == ReplicaRole.PRIMARY) {
                Integer previous = primaryOfEpoch.putIfAbsent(node.epoch(), replica.id);
                if (previous != null && previous != replica.id) {
                    fail("two primaries in epoch " + node.epoch() + ": r" + previous + " and r" + replica.id);
                }
            }
            if (node.commitIndex() < replica.lastCommitIndex && replica.startedAtNs < nowNs) {
                fail("r" + replica.id + " commit index moved backwards from " + replica.lastCommitIndex + " to " + node.commitIndex());
            }
            replica.lastCommitIndex = node.commitIndex();
        }
    }

    private void checkConverged() {
        long head = -1;
        for (SimReplica replica : replicas) {
            if (!replica.up || replica.node.role() == ReplicaRole.STOPPED) {
                fail("r" + replica.id + " is not serving after heal");
            }
            if (head < 0) {
                head = replica.machine.appliedIndex();
            } else if (replica.machine.appliedIndex() != head) {
                note("applied: " + replicas[0].machine.appliedIndex() + " " + replicas[1].machine.appliedIndex() + " " + replicas[2].machine.appliedIndex());
                fail("replicas did not converge after heal: r" + replica.id + " applied " + replica.machine.appliedIndex() + " vs " + head);
            }
        }
        for (Map.Entry<Long, String> ack : ackedPayloadAtIndex.entrySet()) {
            for (SimReplica replica : replicas) {
                String held = replica.machine.payloadAt(ack.getKey());
                if (!ack.getValue().equals(held)) {
                    fail("acknowledged '" + ack.getValue() + "' at " + ack.getKey() + " lost on r" + replica.id + " (holds " + held + ")");
                }
            }
        }
        if (acks == 0) {
            fail("no write was acknowledged in the whole run (liveness)");
        }
    }

    private void fail(String message) {
        StringBuilder report = new StringBuilder("simulation seed=" + seed + " failed at t=" + nowNs / 1_000_000 + "ms: " + message
                + "\nreplay: mvn -pl store-server -am test -Dtest=ReplicationSimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dsynkit.sim.seed=" + seed
                + "\nlast events:");
        for (String line : trace) {
            report.append("\n  ").append(line);
        }
        throw new SimulationFailure(report.toString());
    }

    private void note(String line) {
        trace.addLast("t=" + nowNs / 1_000_000 + "ms " + line);
        if (trace.size() > TRACE_LINES) {
            trace.removeFirst();
        }
    }

    // ------------------------------------------------------------------ plumbing

    private void at(long timeNs, Runnable action) {
        queue.add(new Event(timeNs, eventSeq++, action));
    }

    private void scheduleTick(int id, long afterNs) {
        SimReplica replica = replicas[id];
        long generation = replica.generation;
        at(nowNs + afterNs, () -> {
            if (!replica.up || replica.generation != generation) {
                return;
            }
            if (replica.pausedUntilNs > nowNs) {
                scheduleTick(id, replica.pausedUntilNs - nowNs);
                return;
            }
            ReplicaRole before = replica.node.role();
            long epochBefore = replica.node.epoch();
            replica.node.tick();
            if (replica.node.role() != before || replica.node.epoch() != epochBefore) {
                note("r" + id + " " + before + "->" + replica.node.role() + " e" + replica.node.epoch() + " last=" + replica.node.lastIndex()
                        + " commit=" + replica.node.commitIndex());
            }
            scheduleTick(id, TICK_NS);
        });
    }

    private void scheduleCompaction(int id, long afterNs) {
        SimReplica replica = replicas[id];
        long generation = replica.generation;
        at(nowNs + afterNs, () -> {
            if (!replica.up || replica.generation != generation) {
                return;
            }
            if (replica.running(nowNs)) {
                long firstBefore = replica.node.firstIndex();
                replica.node.compactLog(retainEntries, lagEntriesMax);
                if (replica.node.firstIndex() != firstBefore) {
                    note("r" + id + " log truncated to " + replica.node.firstIndex() + ".." + replica.node.lastIndex());
                }
            }
            scheduleCompaction(id, COMPACT_EVERY_NS);
        });
    }

    private void deliver(int from, int to, ReplicationMessage message) {
        if (cut[from][to] || random.nextDouble() < dropRate) {
            if (message.hasSnapshotChunk() || message.hasSnapshotReply()) {
                note("lost " + message.getBodyCase() + " r" + from + "->r" + to);
            }
            return;
        }
        int copies = random.nextDouble() < duplicateRate ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            long arrivalNs = nowNs + 1 + random.nextLong(delayMaxNs);
            at(arrivalNs, () -> receive(to, message));
        }
    }

    private void receive(int to, ReplicationMessage message) {
        SimReplica replica = replicas[to];
        if (!replica.up) {
            return;
        }
        if (replica.pausedUntilNs > nowNs) {
            at(replica.pausedUntilNs + random.nextLong(1_000_000), () -> receive(to, message)); // a paused process reads its socket later
            return;
        }
        ReplicaRole before = replica.node.role();
        long epochBefore = replica.node.epoch();
        if (message.hasSnapshotChunk() || message.hasSnapshotReply()) {
            note("r" + to + " (" + before + " e" + epochBefore + " applied " + replica.node.appliedIndex() + ") gets " + message.getBodyCase()
                    + " e" + message.getEpoch() + " from r" + message.getFrom());
        }
        replica.node.receive(message);
        if (replica.node.role() != before || replica.node.epoch() != epochBefore) {
            note("r" + to + " " + before + "->" + replica.node.role() + " e" + replica.node.epoch() + " last=" + replica.node.lastIndex()
                    + " commit=" + replica.node.commitIndex() + " (" + message.getBodyCase() + " from r" + message.getFrom() + ")");
        }
    }

    private record Event(long timeNs, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(timeNs, other.timeNs);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    /** A replica process: its disk survives crashes, its memory does not. */
    private final class SimReplica {
        final int id;
        final double clockRate;
        SimLog log;
        SimState state;
        boolean joining;
        ReplicaNode node;
        AppliedEntries machine;
        boolean up;
        long generation;
        long pausedUntilNs;
        long startedAtNs;
        long lastCommitIndex;

        SimReplica(int id, double clockRate) {
            this.id = id;
            this.clockRate = clockRate;
            this.log = new SimLog(random.split());
            this.state = new SimState(random.split());
        }

        void start() {
            up = true;
            generation++;
            startedAtNs = nowNs;
            machine = new AppliedEntries(id, state);
            Clock clock = new Clock() {
                @Override
                public long nowMs() {
                    return nanoTime() / 1_000_000;
                }

                @Override
                public long nanoTime() {
                    return (long) (nowNs * clockRate);
                }
            };
            Transport transport = new Transport() {
                @Override
                public void send(int toReplica, ReplicationMessage message) {
                    deliver(id, toReplica, message);
                }

                @Override
                public String addressOf(int replica) {
                    return "r" + replica;
                }
            };
            node = new ReplicaNode(id, SETTINGS, clock, random.split(), transport, log, machine, new SimSnapshots(id, state), joining);
            joining = false;
            lastCommitIndex = 0;
        }

        void down() {
            up = false;
            generation++;
            log.crash();
            state.crash();
        }

        boolean running(long atNs) {
            return up && pausedUntilNs <= atNs && node.role() != ReplicaRole.STOPPED;
        }
    }

    /** The simulated state machine over its disk, each applied entry checked against the global commit record. */
    private final class AppliedEntries implements StateMachine {
        private final int replicaId;
        private final SimState state;

        AppliedEntries(int replicaId, SimState state) {
            this.replicaId = replicaId;
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
            if (entry.getIndex() != state.applied() + 1) {
                fail("r" + replicaId + " applied index " + entry.getIndex() + " after " + state.applied() + " (indexes must be dense)");
            }
            checkCommitted(replicaId, entry);
            state.add(entry);
            maxCommittedEpoch = Math.max(maxCommittedEpoch, entry.getEpoch());
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

        String payloadAt(long index) {
            Entry entry = state.at(index);
            return entry == null ? null : entry.getPayload().toStringUtf8();
        }
    }

    private void checkCommitted(int replicaId, Entry entry) {
        Entry first = committed.putIfAbsent(entry.getIndex(), entry);
        if (first != null && !first.equals(entry)) {
            fail("committed index " + entry.getIndex() + " differs: r" + replicaId + " applied epoch " + entry.getEpoch() + " '"
                    + entry.getPayload().toStringUtf8() + "' but epoch " + first.getEpoch() + " '" + first.getPayload().toStringUtf8()
                    + "' was committed before");
        }
    }

    /** Snapshots in one chunk: the sender's applied entries, sent through the simulated network like any message. */
    private final class SimSnapshots implements Snapshots {
        private final int replicaId;
        private final SimState state;
        private SnapshotChunk staged;
        private final Map<Integer, ReplicationMessage> lastShipped = new HashMap<>();

        SimSnapshots(int replicaId, SimState state) {
            this.replicaId = replicaId;
            this.state = state;
        }

        @Override
        public void ship(int peer, long epoch) {
            note("r" + replicaId + " ships a snapshot at " + state.applied() + " to r" + peer);
            SnapshotChunk chunk = SnapshotChunk.newBuilder().setSnapshotIndex(state.applied()).setSnapshotEpoch(state.appliedEpoch())
                    .setFile("entries").setData(AppendEntries.newBuilder().addAllEntries(state.copy()).build().toByteString())
                    .setFileDone(true).setDone(true).build();
            ReplicationMessage message = ReplicationMessage.newBuilder().setFrom(replicaId).setEpoch(epoch).setSnapshotChunk(chunk).build();
            lastShipped.put(peer, message);
            deliver(replicaId, peer, message);
        }

        @Override
        public void resend(int peer) {
            ReplicationMessage message = lastShipped.get(peer);
            if (message != null) {
                note("r" + replicaId + " resends its snapshot chunk to r" + peer);
                deliver(replicaId, peer, message);
            }
        }

        @Override
        public void acknowledged(int peer, SnapshotReply reply) {
            // One chunk per snapshot: nothing follows.
        }

        @Override
        public void cancel(int peer) {
            lastShipped.remove(peer);
        }

        @Override
        public boolean stage(SnapshotChunk chunk) {
            staged = chunk; // one chunk per snapshot: always the one expected
            return true;
        }

        @Override
        public void install(long snapshotIndex, long snapshotEpoch) {
            List<Entry> entries;
            try {
                entries = AppendEntries.parseFrom(staged.getData()).getEntriesList();
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("snapshot does not parse", e);
            }
            if (entries.size() != snapshotIndex || (snapshotIndex > 0 && entries.get(entries.size() - 1).getEpoch() != snapshotEpoch)) {
                fail("r" + replicaId + " got a snapshot announced as " + snapshotIndex + "/" + snapshotEpoch + " holding " + entries.size() + " entries");
            }
            for (Entry entry : entries) {
                checkCommitted(replicaId, entry);
            }
            note("r" + replicaId + " installs a snapshot at " + snapshotIndex + " (had applied " + state.applied() + ")");
            state.replaceWith(entries);
            snapshotsInstalled++;
        }
    }
}

package io.synkit.store.replication;

import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.replication.VoteReply;
import io.synkit.protocol.replication.VoteRequest;
import io.synkit.runtime.Clock;
import io.synkit.store.log.LogStorage;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * A replica's part in elections: its election timer, the two rounds it runs to stand, and the rule
 * it votes by. {@link ReplicaNode} decides when (roles, leases, catching up); this keeps the timer
 * and the tallies and sends the requests and answers.
 *
 * <p>A replica that heard no primary for a random election timeout first asks, in a pre-vote,
 * whether a quorum would elect it in the next epoch; nobody changes epoch for a pre-vote, so a
 * replica that was cut off cannot depose a healthy primary by inflating epochs. Only with a
 * quorum of pre-votes does it stand: epoch + 1, a durable vote for itself, a vote request to
 * every other replica. A replica grants at most one vote per epoch (durably), and only to a
 * candidate whose log is at least as up to date as its own.
 */
final class Election {

    private final int self;
    private final ReplicaSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final LogStorage log;
    private final Transport transport;
    private final BitSet preVotes = new BitSet();
    private final BitSet votes = new BitSet();
    private boolean preVoting;
    private long deadlineNs;

    Election(int self, ReplicaSettings settings, Clock clock, RandomGenerator random, LogStorage log, Transport transport) {
        this.self = self;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.log = log;
        this.transport = transport;
    }

    /** Starts a new random election timeout, in [electionTimeoutMinMs, electionTimeoutMaxMs], from now. */
    void resetTimer() {
        long spanMs = settings.electionTimeoutMaxMs() - settings.electionTimeoutMinMs();
        deadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.electionTimeoutMinMs() + random.nextLong(spanMs + 1));
    }

    boolean timedOut(long nowNs) {
        return nowNs >= deadlineNs;
    }

    // ------------------------------------------------------------------ standing

    /** Asks every other replica whether it would vote for this one in the next epoch. */
    void startPreVote() {
        preVoting = true;
        preVotes.clear();
        preVotes.set(self);
        ReplicationMessage request = ReplicationMessage.newBuilder().setFrom(self).setEpoch(log.currentEpoch() + 1)
                .setVote(VoteRequest.newBuilder().setLastIndex(log.lastIndex()).setLastEpoch(log.epochAt(log.lastIndex())).setPreVote(true)).build();
        sendToOthers(request);
    }

    boolean preVoting() {
        return preVoting;
    }

    /** A primary was heard from, or the real election started: pre-vote answers no longer count. */
    void endPreVote() {
        preVoting = false;
    }

    /** Counts a granted pre-vote; true once a quorum would elect this replica (the pre-vote is then over). */
    boolean preVoteGranted(int from) {
        preVotes.set(from);
        if (preVotes.cardinality() >= settings.quorum()) {
            preVoting = false;
            return true;
        }
        return false;
    }

    /** Moves to the next epoch with a durable vote for itself; the caller then {@link #requestVotes()}. */
    void standInNextEpoch() {
        log.saveHardState(log.currentEpoch() + 1, self);
        votes.clear();
        votes.set(self);
        resetTimer();
    }

    /** {@code handOver}: the candidate stands because its primary handed over, which voters need not wait out. */
    void requestVotes(boolean handOver) {
        sendToOthers(message().setVote(VoteRequest.newBuilder().setLastIndex(log.lastIndex()).setLastEpoch(log.epochAt(log.lastIndex()))
                .setHandOver(handOver)).build());
    }

    /** Counts a granted vote of this epoch; true once a quorum voted for this replica. */
    boolean voteGranted(int from) {
        votes.set(from);
        return votes.cardinality() >= settings.quorum();
    }

    // ------------------------------------------------------------------ voting

    /** Whether this replica's vote in the current epoch is free for {@code candidate} and its log is at least as up to date. */
    boolean mayVoteFor(int candidate, VoteRequest vote) {
        boolean free = log.votedFor() == -1 || log.votedFor() == candidate;
        return free && upToDate(vote);
    }

    /** The candidate's last entry has a higher epoch than ours, or the same epoch and at least our index. */
    boolean upToDate(VoteRequest vote) {
        long lastEpoch = log.epochAt(log.lastIndex());
        return vote.getLastEpoch() > lastEpoch || (vote.getLastEpoch() == lastEpoch && vote.getLastIndex() >= log.lastIndex());
    }

    /** Answers a vote request; a granted vote is recorded durably first and restarts the timer. */
    void answerVote(int candidate, boolean granted) {
        if (granted) {
            log.saveHardState(log.currentEpoch(), candidate);
            resetTimer();
        }
        transport.send(candidate, message().setVoteReply(VoteReply.newBuilder().setGranted(granted)).build());
    }

    void answerPreVote(int candidate, boolean granted) {
        transport.send(candidate, message().setVoteReply(VoteReply.newBuilder().setGranted(granted).setPreVote(true)).build());
    }

    private void sendToOthers(ReplicationMessage request) {
        for (int peer = 0; peer < settings.replicaCount(); peer++) {
            if (peer != self) {
                transport.send(peer, request);
            }
        }
    }

    private ReplicationMessage.Builder message() {
        return ReplicationMessage.newBuilder().setFrom(self).setEpoch(log.currentEpoch());
    }
}

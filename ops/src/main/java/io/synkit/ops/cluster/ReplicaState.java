package io.synkit.ops.cluster;

import io.synkit.protocol.internal.ReplicaStatus;
import java.util.Optional;

/**
 * What a status query learned about one store replica of a local cluster.
 *
 * <ul>
 *   <li>{@link Reach#ANSWERED}: its process runs and answered; {@link #status()} is what it said.</li>
 *   <li>{@link Reach#DOWN}: no process of this cluster runs for it (its pid file names none, or a
 *       process that is gone or not this cluster's). Its port is not asked: whatever answers
 *       there is not this replica.</li>
 *   <li>{@link Reach#NO_ANSWER}: its process runs but did not answer in time (paused, overloaded,
 *       in a long GC pause; or the asking JVM was slow). Not down: its role is unknown.</li>
 * </ul>
 *
 * @param detail why it is DOWN or NO_ANSWER; empty when it answered
 */
public record ReplicaState(Reach reach, Optional<ReplicaStatus> status, String detail) {

    public enum Reach { ANSWERED, DOWN, NO_ANSWER }

    static ReplicaState answered(ReplicaStatus status) {
        return new ReplicaState(Reach.ANSWERED, Optional.of(status), "");
    }

    static ReplicaState down(String detail) {
        return new ReplicaState(Reach.DOWN, Optional.empty(), detail);
    }

    static ReplicaState noAnswer(String detail) {
        return new ReplicaState(Reach.NO_ANSWER, Optional.empty(), detail);
    }

    /** Whether it answered in {@code role} (PRIMARY, BACKUP, ...). */
    public boolean isIn(String role) {
        return status.map(s -> s.getRole().equals(role)).orElse(false);
    }
}

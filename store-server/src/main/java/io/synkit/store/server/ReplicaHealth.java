package io.synkit.store.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.protocol.internal.ReplicaStatus;
import io.synkit.store.replication.ReplicaLoop;
import io.synkit.store.replication.ReplicaRole;

/**
 * Whether a replica of a replicated SET serves its part, beyond running: not ready while it may
 * lack committed entries (catching up), or when it knew no working primary for longer than
 * {@code store.ready.primary.grace.ms} (as primary: no quorum followed it, so it can neither
 * commit nor keep a lease; otherwise: it heard no primary, so the SET takes no writes as far as
 * it can tell). So a SET without a quorum turns its live replicas' probes red within the grace,
 * and the metrics say which SET, per replica.
 */
final class ReplicaHealth {

    private final ReplicaLoop replica;
    private final long graceMs;

    ReplicaHealth(ReplicaLoop replica, long graceMs) {
        this.replica = replica;
        this.graceMs = graceMs;
    }

    /** Null when the replica does its part; else why not. Stops are reported by the caller first. */
    String notReadyReason() {
        ReplicaStatus status = replica.status();
        if (status.getCatchingUp()) {
            return "catching up: may lack committed entries until it applied one of epoch " + status.getEpoch() + " from a primary";
        }
        long silentMs = replica.primaryContactAgeMs();
        if (silentMs <= graceMs) {
            return null;
        }
        return status.getRole().equals(ReplicaRole.PRIMARY.name())
                ? "primary of epoch " + status.getEpoch() + " without a quorum for " + silentMs + " ms"
                : status.getRole() + " in epoch " + status.getEpoch() + " heard no primary for " + silentMs + " ms";
    }

    /**
     * The SET's health as this replica sees it, tagged {@code set} and {@code replica} (readiness
     * itself is {@code synkit_ready}, as on every server): whether it is the primary holding a lease, how long it knew no working primary,
     * its epoch and commit index, and on the primary how many entries each backup lacks.
     */
    void register(MeterRegistry registry, String setId, int replicaCount) {
        String index = Integer.toString(replica.status().getReplicaIndex());
        Gauge.builder("synkit.store.primary.serving", () -> replica.canServeReads() ? 1 : 0).tag("set", setId).tag("replica", index)
                .description("1 while this replica is the SET's primary holding its lease (it takes writes and serves reads)").register(registry);
        Gauge.builder("synkit.store.primary.contact.age.seconds", () -> Math.min(replica.primaryContactAgeMs(), Long.MAX_VALUE / 2) / 1000.0)
                .tag("set", setId).tag("replica", index)
                .description("seconds since this replica last knew a working primary (as primary: since a quorum followed it)").register(registry);
        Gauge.builder("synkit.store.epoch", () -> replica.status().getEpoch()).tag("set", setId).tag("replica", index).register(registry);
        Gauge.builder("synkit.store.commit.index", () -> replica.status().getCommitIndex()).tag("set", setId).tag("replica", index).register(registry);
        for (int peer = 0; peer < replicaCount; peer++) {
            int backup = peer;
            Gauge.builder("synkit.store.replication.lag.entries", () -> lagEntries(backup)).tag("set", setId).tag("replica", index)
                    .tag("backup", Integer.toString(backup))
                    .description("on the primary: committed entries the backup does not hold yet (NaN elsewhere)").register(registry);
        }
    }

    private double lagEntries(int backup) {
        ReplicaStatus status = replica.status();
        if (!status.getRole().equals(ReplicaRole.PRIMARY.name()) || backup >= status.getMatchIndexesCount() || backup == status.getReplicaIndex()) {
            return Double.NaN;
        }
        return Math.max(0, status.getCommitIndex() - status.getMatchIndexes(backup));
    }
}

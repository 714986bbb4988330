package io.synkit.store.replication;

/**
 * Timing and batching of a SET's replication, validated together.
 *
 * <p>Safety of lease reads rests on: a backup neither votes nor stands for election until
 * {@code electionTimeoutMinMs} has passed since it last heard from the primary, and a primary's
 * lease is {@code leaseMs} from the send time of the last append a backup acknowledged. With
 * {@code leaseMs} well below {@code electionTimeoutMinMs} (the margin absorbs clock rate drift),
 * a new primary cannot be elected while the old one still believes its lease.
 *
 * @param replicaCount replicas in the SET (3: quorum 2)
 * @param heartbeatIntervalMs the primary sends appends at least this often
 * @param electionTimeoutMinMs a backup that heard nothing for a random time in [min, max] stands
 * @param electionTimeoutMaxMs upper end of that range
 * @param leaseMs how long a quorum acknowledgement lets the primary serve reads
 * @param appendEntriesMax entries per append message at most
 * @param appendBytesMax payload bytes per append message at most (one entry may exceed it alone)
 */
public record ReplicaSettings(int replicaCount, long heartbeatIntervalMs, long electionTimeoutMinMs, long electionTimeoutMaxMs,
                              long leaseMs, int appendEntriesMax, int appendBytesMax) {

    public ReplicaSettings {
        if (replicaCount < 1 || replicaCount % 2 == 0) {
            throw new IllegalArgumentException("replicaCount=" + replicaCount + " must be odd and >= 1");
        }
        if (heartbeatIntervalMs < 1 || electionTimeoutMinMs < 3 * heartbeatIntervalMs) {
            throw new IllegalArgumentException("electionTimeoutMinMs=" + electionTimeoutMinMs + " must be >= 3 x heartbeatIntervalMs=" + heartbeatIntervalMs);
        }
        if (electionTimeoutMaxMs <= electionTimeoutMinMs) {
            throw new IllegalArgumentException("electionTimeoutMaxMs=" + electionTimeoutMaxMs + " must be > electionTimeoutMinMs=" + electionTimeoutMinMs);
        }
        if (leaseMs < 1 || leaseMs * 10 > electionTimeoutMinMs * 8) {
            throw new IllegalArgumentException("leaseMs=" + leaseMs + " must be in [1, 0.8 x electionTimeoutMinMs=" + electionTimeoutMinMs + "]");
        }
        if (appendEntriesMax < 1 || appendBytesMax < 1) {
            throw new IllegalArgumentException("appendEntriesMax=" + appendEntriesMax + " appendBytesMax=" + appendBytesMax + " must be >= 1");
        }
    }

    /** Failover within about 1-2 s. */
    public static ReplicaSettings defaults() {
        return new ReplicaSettings(3, 100, 1000, 2000, 700, 512, 4 << 20);
    }

    public int quorum() {
        return replicaCount / 2 + 1;
    }
}

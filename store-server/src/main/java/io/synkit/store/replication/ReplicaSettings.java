package io.synkit.store.replication;

/**
 * Timing, batching and bounds of a SET's replication, validated together.
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
 * @param inflightEntriesMax entries sent to one backup and not yet acknowledged, at most: bounds
 *     memory and catch-up bursts
 * @param snapshotResendMs an unacknowledged snapshot chunk is sent again after this long (a
 *     restarted backup answers the repeat with a refusal, which starts a fresh snapshot)
 * @param snapshotStallMs a snapshot transfer with no acknowledged chunk for this long is abandoned
 *     and started over
 * @param tickIntervalMs timer granularity of a production replica: heartbeats, election timeouts
 *     and stall checks are rounded up to it (commits, replies and lease checks do not wait for
 *     ticks); each tick wakes the replica's thread, which costs an idle replica CPU (5 ms ticks:
 *     ~5.5 % of a core; 20 ms: under 3 %)
 * @param sendTimeoutMs a replication message not delivered within this is given up (the protocol
 *     retries by itself)
 * @param snapshotChunkBytes bytes of checkpoint file per snapshot chunk at most
 */
public record ReplicaSettings(int replicaCount, long heartbeatIntervalMs, long electionTimeoutMinMs, long electionTimeoutMaxMs,
                              long leaseMs, int appendEntriesMax, int appendBytesMax, int inflightEntriesMax,
                              long snapshotResendMs, long snapshotStallMs, long tickIntervalMs, long sendTimeoutMs, int snapshotChunkBytes) {

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
        if (appendEntriesMax < 1 || appendBytesMax < 1 || inflightEntriesMax < 1) {
            throw new IllegalArgumentException("appendEntriesMax=" + appendEntriesMax + " appendBytesMax=" + appendBytesMax + " inflightEntriesMax="
                    + inflightEntriesMax + " must be >= 1");
        }
        if (snapshotResendMs < heartbeatIntervalMs || snapshotStallMs <= snapshotResendMs) {
            throw new IllegalArgumentException("snapshotResendMs=" + snapshotResendMs + " must be >= heartbeatIntervalMs=" + heartbeatIntervalMs
                    + " and < snapshotStallMs=" + snapshotStallMs);
        }
        if (tickIntervalMs < 1 || tickIntervalMs > heartbeatIntervalMs) {
            throw new IllegalArgumentException("tickIntervalMs=" + tickIntervalMs + " must be in [1, heartbeatIntervalMs=" + heartbeatIntervalMs + "]");
        }
        if (sendTimeoutMs < 1 || snapshotChunkBytes < 1) {
            throw new IllegalArgumentException("sendTimeoutMs=" + sendTimeoutMs + " snapshotChunkBytes=" + snapshotChunkBytes + " must be >= 1");
        }
    }

    /** Failover within about 1-2 s. */
    public static ReplicaSettings defaults() {
        return new ReplicaSettings(3, 100, 1000, 2000, 700, 512, 4 << 20, 64,
                snapshotResendMsFor(100), snapshotStallMsFor(2000), 20, 1000, 1 << 20);
    }

    /** Default snapshot resend: three heartbeats. */
    public static long snapshotResendMsFor(long heartbeatIntervalMs) {
        return 3 * heartbeatIntervalMs;
    }

    /** Default snapshot stall: ten maximum election timeouts. */
    public static long snapshotStallMsFor(long electionTimeoutMaxMs) {
        return 10 * electionTimeoutMaxMs;
    }

    /** The same settings with other election and lease timing; the snapshot timers follow the new heartbeat and election timeout. */
    public ReplicaSettings withTimingMs(long heartbeatIntervalMs, long electionTimeoutMinMs, long electionTimeoutMaxMs, long leaseMs) {
        return new ReplicaSettings(replicaCount, heartbeatIntervalMs, electionTimeoutMinMs, electionTimeoutMaxMs, leaseMs, appendEntriesMax,
                appendBytesMax, inflightEntriesMax, snapshotResendMsFor(heartbeatIntervalMs), snapshotStallMsFor(electionTimeoutMaxMs),
                Math.min(tickIntervalMs, heartbeatIntervalMs), sendTimeoutMs, snapshotChunkBytes);
    }

    /** The same settings with other append message bounds. */
    public ReplicaSettings withAppendMax(int appendEntriesMax, int appendBytesMax) {
        return new ReplicaSettings(replicaCount, heartbeatIntervalMs, electionTimeoutMinMs, electionTimeoutMaxMs, leaseMs, appendEntriesMax,
                appendBytesMax, inflightEntriesMax, snapshotResendMs, snapshotStallMs, tickIntervalMs, sendTimeoutMs, snapshotChunkBytes);
    }

    public int quorum() {
        return replicaCount / 2 + 1;
    }
}

package io.synkit.store.replication;

/** Whether this replica may serve requests now, and where the primary is if it may not. */
public interface ReplicaGate {

    /** Reads are linearizable here now (a single replica, or a primary holding its lease). */
    boolean canServeReads();

    /** Writes may be proposed here now. */
    boolean canTakeWrites();

    /** The primary's RPC address as far as this replica knows, or "" when unknown. */
    String primaryHint();

    /** Null while serving; otherwise why the replica stopped for good (a restart is needed). */
    String stopReason();

    /** A SET of one: always the primary, always readable. */
    ReplicaGate SINGLE = new ReplicaGate() {
        @Override
        public boolean canServeReads() {
            return true;
        }

        @Override
        public boolean canTakeWrites() {
            return true;
        }

        @Override
        public String primaryHint() {
            return "";
        }

        @Override
        public String stopReason() {
            return null;
        }
    };
}

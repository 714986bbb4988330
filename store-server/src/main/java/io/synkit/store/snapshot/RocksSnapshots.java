package io.synkit.store.snapshot;

import io.synkit.protocol.replication.SnapshotChunk;
import io.synkit.protocol.replication.SnapshotReply;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.replication.Snapshots;
import io.synkit.store.replication.Transport;
import io.synkit.store.state.RocksStateMachine;
import java.nio.file.Path;

/**
 * Snapshots of a RocksDB-backed replica: a primary ships RocksDB checkpoints
 * ({@link CheckpointShipper}), a backup stages them ({@link CheckpointStaging}) and installs them
 * into its state machine in place.
 */
public final class RocksSnapshots implements Snapshots, AutoCloseable {

    static final String OUTGOING_DIR = "snapshot-out";
    static final String INCOMING_DIR = "snapshot-in";

    private final CheckpointShipper shipper;
    private final CheckpointStaging staging;
    private final RocksStateMachine machine;

    /**
     * @param chunkBytes checkpoint bytes per snapshot chunk at most
     */
    public RocksSnapshots(int self, StoreEngine engine, RocksStateMachine machine, Path dataDir, Transport transport, int chunkBytes) {
        this.shipper = new CheckpointShipper(self, engine, dataDir.resolve(OUTGOING_DIR), transport, chunkBytes);
        this.staging = new CheckpointStaging(dataDir.resolve(INCOMING_DIR));
        this.machine = machine;
    }

    @Override
    public void ship(int peer, long epoch) {
        shipper.ship(peer, epoch);
    }

    @Override
    public void acknowledged(int peer, SnapshotReply reply) {
        shipper.acknowledged(peer, reply);
    }

    @Override
    public void resend(int peer) {
        shipper.resend(peer);
    }

    @Override
    public void cancel(int peer) {
        shipper.cancel(peer);
    }

    @Override
    public boolean stage(SnapshotChunk chunk) {
        return staging.stage(chunk);
    }

    @Override
    public void install(long snapshotIndex, long snapshotEpoch) {
        machine.restoreFrom(staging.completed(snapshotIndex), snapshotIndex, snapshotEpoch);
        staging.clear();
    }

    @Override
    public void close() {
        shipper.close();
        staging.clear();
    }
}

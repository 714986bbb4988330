package io.synkit.store.replication;

import io.synkit.protocol.replication.ReplicationMessage;

/** Sends replication messages to the SET's other replicas; may drop, delay or reorder them. */
public interface Transport {

    void send(int toReplica, ReplicationMessage message);
}

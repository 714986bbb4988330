package io.synkit.store.replication;

import io.synkit.protocol.replication.ReplicationMessage;

/** Sends replication messages to the SET's other replicas; may drop, delay or reorder them. */
public interface Transport {

    void send(int toReplica, ReplicationMessage message);

    /** Where {@code replica} takes requests (its RPC address): the hint a caller refused with "not the primary" follows. */
    String addressOf(int replica);
}

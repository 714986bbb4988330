package io.synkit.store.replication;

import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.protocol.rpc.RpcClientPool;
import java.util.List;

/**
 * Sends replication messages over the replicas' internal RPC ports, one way: the answer (an empty
 * ack) and any failure are ignored — the protocol tolerates lost messages and retries by itself.
 */
public final class RpcTransport implements Transport {

    private static final long SEND_TIMEOUT_MS = 1000;

    private final RpcClientPool clients;
    private final List<String> replicas;

    public RpcTransport(RpcClientPool clients, List<String> replicas) {
        this.clients = clients;
        this.replicas = List.copyOf(replicas);
    }

    @Override
    public void send(int toReplica, ReplicationMessage message) {
        clients.get(replicas.get(toReplica)).call(StoreRequest.newBuilder().setReplicate(message).build(), SEND_TIMEOUT_MS);
    }
}

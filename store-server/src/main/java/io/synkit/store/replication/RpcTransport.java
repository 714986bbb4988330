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

    private final RpcClientPool clients;
    private final List<String> replicas;
    private final long sendTimeoutMs;

    /**
     * @param replicas RPC addresses of the SET's replicas in replica-index order
     * @param sendTimeoutMs a message not delivered within this is given up
     */
    public RpcTransport(RpcClientPool clients, List<String> replicas, long sendTimeoutMs) {
        this.clients = clients;
        this.replicas = List.copyOf(replicas);
        this.sendTimeoutMs = sendTimeoutMs;
    }

    @Override
    public void send(int toReplica, ReplicationMessage message) {
        clients.get(replicas.get(toReplica)).call(StoreRequest.newBuilder().setReplicate(message).build(), sendTimeoutMs);
    }

    @Override
    public String addressOf(int replica) {
        return replicas.get(replica);
    }
}

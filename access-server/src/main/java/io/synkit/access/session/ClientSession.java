package io.synkit.access.session;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One authenticated client connection: whose it is, which connection it is, how far its inbox is
 * known to have advanced (for heartbeat replies) and how many of its requests are in flight.
 */
public final class ClientSession {

    private final long userId;
    private final String deviceId;
    private final long connId;
    private final Channel channel;
    private final AtomicLong latestInboxSeq = new AtomicLong();
    private final AtomicInteger inflightCount = new AtomicInteger();

    public ClientSession(long userId, String deviceId, long connId, Channel channel) {
        this.userId = userId;
        this.deviceId = deviceId;
        this.connId = connId;
        this.channel = channel;
    }

    public long userId() {
        return userId;
    }

    public String deviceId() {
        return deviceId;
    }

    public long connId() {
        return connId;
    }

    public Channel channel() {
        return channel;
    }

    public long latestInboxSeq() {
        return latestInboxSeq.get();
    }

    /** Raises the known inbox head; it never moves backwards. */
    public void inboxAdvanced(long seq) {
        latestInboxSeq.accumulateAndGet(seq, Math::max);
    }

    /** Takes an in-flight slot; false when {@code inflightCountMax} are taken already. */
    public boolean tryBeginRequest(int inflightCountMax) {
        if (inflightCount.incrementAndGet() > inflightCountMax) {
            inflightCount.decrementAndGet();
            return false;
        }
        return true;
    }

    public void endRequest() {
        inflightCount.decrementAndGet();
    }

    @Override
    public String toString() {
        return "user=" + userId + " device=" + deviceId + " conn=" + connId;
    }
}

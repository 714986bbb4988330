package io.synkit.sim.device;

import io.synkit.protocol.client.GroupChange;

/**
 * One conversation entry a device received through sync, in the order received: a message, or a
 * group's membership change ({@code change} set; null for a message).
 */
public record Delivery(long seq, String convId, long convSeq, long senderUserId, String clientMsgId, long receivedNanos, GroupChange change) {

    /** A message. */
    public Delivery(long seq, String convId, long convSeq, long senderUserId, String clientMsgId, long receivedNanos) {
        this(seq, convId, convSeq, senderUserId, clientMsgId, receivedNanos, null);
    }

    public String messageKey() {
        return SendRecord.key(senderUserId, clientMsgId);
    }
}

package io.synkit.sim.device;

/** One op a device received through sync, in the order received. */
public record Delivery(long seq, String convId, long convSeq, long senderUserId, String clientMsgId, long receivedNanos) {

    public String messageKey() {
        return SendRecord.key(senderUserId, clientMsgId);
    }
}

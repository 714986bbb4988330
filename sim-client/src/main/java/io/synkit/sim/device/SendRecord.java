package io.synkit.sim.device;

/**
 * One message a simulated device sent, as the recorder saw it. Mutated only by the sending
 * device's event loop; read by the checker after the run.
 */
public final class SendRecord {

    public final long senderUserId;
    public final String senderDeviceId;
    public final String clientMsgId;
    public final String convId;
    /** When the open-loop schedule meant to send it (latency is measured from here). */
    public final long intendedNanos;
    public volatile long ackNanos;
    public volatile long convSeq;
    public volatile long seq;
    public volatile String failure;
    public volatile int attempts;

    public SendRecord(long senderUserId, String senderDeviceId, String clientMsgId, String convId, long intendedNanos) {
        this.senderUserId = senderUserId;
        this.senderDeviceId = senderDeviceId;
        this.clientMsgId = clientMsgId;
        this.convId = convId;
        this.intendedNanos = intendedNanos;
    }

    public boolean acked() {
        return ackNanos != 0;
    }

    public String key() {
        return key(senderUserId, clientMsgId);
    }

    public static String key(long senderUserId, String clientMsgId) {
        return senderUserId + "/" + clientMsgId;
    }
}

package io.synkit.protocol.rpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.synkit.protocol.internal.RpcEnvelope;
import java.io.IOException;

/**
 * An {@link RpcEnvelope} with a payload, written as that message's exact bytes but with the payload
 * message serialized straight into the outbound frame ({@link EnvelopeEncoder}). Building an
 * {@code RpcEnvelope} needs the payload as a {@code ByteString} first: a copy of every request
 * and reply (a replication append's whole batch, once per backup) that lived only to be copied
 * again into the frame; with the copies parsing made, a fifth of a SET primary's allocation.
 *
 * <p>Immutable once built; the payload message must not change after (protobuf messages do not).
 */
final class OutboundEnvelope {

    private static final int CALL_ID_TAG = (RpcEnvelope.CALL_ID_FIELD_NUMBER << 3);
    private static final int PAYLOAD_TAG = (RpcEnvelope.PAYLOAD_FIELD_NUMBER << 3) | 2;
    private static final int TIMEOUT_MS_TAG = (RpcEnvelope.TIMEOUT_MS_FIELD_NUMBER << 3);

    private final long callId;
    private final MessageLite payload;
    private final int timeoutMs;
    private final int payloadBytes;
    private final int serializedBytes;

    /** @param timeoutMs 0 in replies, as an {@code RpcEnvelope} reply leaves it unset */
    OutboundEnvelope(long callId, MessageLite payload, int timeoutMs) {
        this.callId = callId;
        this.payload = payload;
        this.timeoutMs = timeoutMs;
        this.payloadBytes = payload.getSerializedSize();
        int bytes = 0;
        if (callId != 0) {
            bytes += CodedOutputStream.computeUInt64Size(RpcEnvelope.CALL_ID_FIELD_NUMBER, callId);
        }
        if (payloadBytes > 0) {
            bytes += CodedOutputStream.computeTagSize(RpcEnvelope.PAYLOAD_FIELD_NUMBER) + CodedOutputStream.computeUInt32SizeNoTag(payloadBytes)
                    + payloadBytes;
        }
        if (timeoutMs != 0) {
            bytes += CodedOutputStream.computeUInt32Size(RpcEnvelope.TIMEOUT_MS_FIELD_NUMBER, timeoutMs);
        }
        this.serializedBytes = bytes;
    }

    /** Size of the envelope's encoding, as {@code RpcEnvelope.getSerializedSize()} would give it. */
    int serializedBytes() {
        return serializedBytes;
    }

    /** Writes the fields in number order, omitting defaults, as protobuf does for the same {@code RpcEnvelope}. */
    void writeTo(CodedOutputStream out) throws IOException {
        if (callId != 0) {
            out.writeUInt32NoTag(CALL_ID_TAG);
            out.writeUInt64NoTag(callId);
        }
        if (payloadBytes > 0) {
            out.writeUInt32NoTag(PAYLOAD_TAG);
            out.writeUInt32NoTag(payloadBytes);
            payload.writeTo(out);
        }
        if (timeoutMs != 0) {
            out.writeUInt32NoTag(TIMEOUT_MS_TAG);
            out.writeUInt32NoTag(timeoutMs);
        }
    }
}

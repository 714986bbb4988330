package io.synkit.protocol.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.synkit.protocol.internal.RpcEnvelope;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The envelope written in place is byte for byte the {@link RpcEnvelope} the peer parses, for
 * requests and replies, small and large call ids and payloads, and an empty payload.
 */
class OutboundEnvelopeTest {

    @Test
    void writesTheSameBytesAsTheRpcEnvelopeItStandsFor() throws IOException {
        StoreRequest append = StoreRequest.newBuilder().setReplicate(ReplicationMessage.newBuilder().setAppend(AppendEntries.newBuilder()
                .setPrevEpoch(3).setPrevIndex(41).addEntries(Entry.newBuilder().setIndex(42).setEpoch(3).setPayload(ByteString.copyFrom(new byte[70_000])))))
                .build();
        assertSameBytes(1, append, 10_000);
        assertSameBytes(Long.MAX_VALUE, append, Integer.MAX_VALUE);
        assertSameBytes(300, StoreRequest.getDefaultInstance(), 5);
        assertSameBytes(7, append, 0);
    }

    @Test
    void anAliasedParseSeesTheSamePayload() {
        ByteString body = ByteString.copyFrom(new byte[] {1, 2, 3});
        Entry entry = Entry.newBuilder().setIndex(1).setPayload(body).build();
        assertEquals(entry, RpcPayloads.parse(Entry.parser(), entry.toByteString(), "entry"));
    }

    private static void assertSameBytes(long callId, MessageLite payload, int timeoutMs) throws IOException {
        byte[] expected = RpcEnvelope.newBuilder().setCallId(callId).setPayload(payload.toByteString()).setTimeoutMs(timeoutMs).build().toByteArray();
        OutboundEnvelope envelope = new OutboundEnvelope(callId, payload, timeoutMs);
        assertEquals(expected.length, envelope.serializedBytes());
        byte[] written = new byte[envelope.serializedBytes()];
        CodedOutputStream out = CodedOutputStream.newInstance(written);
        envelope.writeTo(out);
        out.checkNoSpaceLeft();
        assertArrayEquals(expected, written);
    }
}

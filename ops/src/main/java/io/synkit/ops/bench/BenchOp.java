package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.StoreRequest;

/**
 * The message every store benchmark sends: op {@code id} is a 200-byte message from user
 * {@code a} to {@code a + 1} in one of {@code conversations} direct conversations, round robin,
 * with its own client message id; sent as the store's {@code AppendConv} command.
 */
final class BenchOp {

    static final ByteString BODY = ByteString.copyFrom(new byte[200]);

    private BenchOp() {
    }

    static MessageOp message(long id, int conversations) {
        long sender = 1 + (id % conversations) * 2;
        return MessageOp.newBuilder().setConvId("d:" + sender + ":" + (sender + 1)).setSenderUserId(sender).setSenderDeviceId("bench")
                .setClientMsgId("b" + id).setContentType(ContentType.CONTENT_TYPE_BINARY).setBody(BODY).build();
    }

    static StoreRequest appendConv(long id, int conversations) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(message(id, conversations))).build();
    }

    /**
     * Op {@code id}'s fan-out to its sender's own inbox, as logic sends it once the conversation
     * entry committed: ops go round robin over {@code conversations}, so op {@code id} is entry
     * {@code id / conversations + 1} of its conversation and every inbox takes its entries in order.
     */
    static StoreRequest appendInbox(long id, int conversations) {
        MessageOp message = message(id, conversations);
        MessageOp entry = message.toBuilder().setConvSeq(id / conversations + 1).setServerTimeMs(1).build();
        return StoreRequest.newBuilder().setAppendInbox(AppendInboxRequest.newBuilder().setUserId(message.getSenderUserId()).setMessage(entry)).build();
    }
}

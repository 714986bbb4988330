package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
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
}

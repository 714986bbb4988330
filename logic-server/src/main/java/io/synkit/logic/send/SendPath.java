package io.synkit.logic.send;

import io.synkit.logic.outbox.OutboxCompletions;
import io.synkit.logic.store.StoreCalls;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.conv.ClientMsgId;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.CompletableFuture;

/**
 * The send path (DESIGN.md, Write path): validate, append to the conversation log in its home SET
 * (idempotent on sender, conversation and client_msg_id), fan out to every member's inbox (sender
 * included, so the sender's other devices see it), and only then ack. A crash before the ack is
 * repaired by the client's retry with the same client_msg_id; an entry whose fan-out never
 * finished stays in its SET's outbox and is re-driven by {@link io.synkit.logic.outbox.OutboxRedriver}.
 * A finished fan-out's mark is cleared with its SET's next batch ({@link OutboxCompletions}), not
 * by a write of its own.
 */
public final class SendPath {

    private final StoreCalls store;
    private final Delivery delivery;
    private final OutboxCompletions completions;
    private final int bodyBytesMax;

    public SendPath(StoreCalls store, Delivery delivery, OutboxCompletions completions, int bodyBytesMax) {
        this.store = store;
        this.delivery = delivery;
        this.completions = completions;
        this.bodyBytesMax = bodyBytesMax;
    }

    public CompletableFuture<SendAck> send(Caller caller, SendRequest request) {
        ConversationId conv = validate(caller, request);
        MessageOp message = MessageOp.newBuilder()
                .setConvId(conv.value())
                .setSenderUserId(caller.getUserId())
                .setSenderDeviceId(caller.getDeviceId())
                .setClientMsgId(request.getClientMsgId())
                .setContentType(request.getContentType())
                .setBody(request.getBody())
                .build();
        StoreRequest append = StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(message)).build();
        return store.forConversation(conv.value(), append).thenCompose(response -> {
            AppendConvResponse appended = response.getAppendConv();
            MessageOp committed = appended.getMessage();
            checkAnswersThisSend(message, committed);
            if (committed.hasGroupChange()) {
                throw new RpcException(ErrorCode.INVALID_REQUEST, "client_msg_id " + message.getClientMsgId() + " names a membership change in "
                        + conv + ", not a message");
            }
            // The home SET checked that the sender is a member (for a group, against its record).
            return delivery.deliver(committed, appended.getMembersVersion(), caller.getUserId()).thenApply(seq -> {
                if (!isLogOnly(committed, appended.getReadDiffusionFromConvSeq())) {
                    completions.finished(committed);
                }
                return SendAck.newBuilder()
                        .setConvId(committed.getConvId())
                        .setConvSeq(committed.getConvSeq())
                        .setSeq(seq)
                        .setServerTimeMs(committed.getServerTimeMs())
                        .setDuplicate(appended.getDuplicate())
                        .build();
            });
        });
    }

    /** A message of a group read from its log, after the switch: the home SET kept no outbox record for it. */
    private static boolean isLogOnly(MessageOp committed, long readDiffusionFrom) {
        return readDiffusionFrom > 0 && committed.getConvSeq() > readDiffusionFrom && !committed.hasGroupChange();
    }

    /**
     * The entry the store answered with must be this send (or its original): fanning out another
     * conversation's entry to this conversation's members would hand it to non-members.
     */
    private static void checkAnswersThisSend(MessageOp sent, MessageOp committed) {
        if (!committed.getConvId().equals(sent.getConvId()) || committed.getSenderUserId() != sent.getSenderUserId()
                || !committed.getClientMsgId().equals(sent.getClientMsgId())) {
            throw new RpcException(ErrorCode.INTERNAL, "the store answered a send of (" + sent.getConvId() + ", user " + sent.getSenderUserId()
                    + ", " + sent.getClientMsgId() + ") with the entry of (" + committed.getConvId() + ", user " + committed.getSenderUserId()
                    + ", " + committed.getClientMsgId() + ")");
        }
    }

    private ConversationId validate(Caller caller, SendRequest request) {
        ConversationId conv;
        try {
            conv = ConversationId.parse(request.getConvId());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        if (!conv.isGroup() && !conv.hasMember(caller.getUserId())) {
            throw new RpcException(ErrorCode.FORBIDDEN, "user " + caller.getUserId() + " is not a member of " + conv);
        }
        try {
            ClientMsgId.check(request.getClientMsgId());
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, e.getMessage());
        }
        if (request.getBody().size() > bodyBytesMax) {
            throw new RpcException(ErrorCode.MESSAGE_TOO_LARGE, "body of " + request.getBody().size() + " bytes exceeds bodyBytesMax=" + bodyBytesMax);
        }
        if (request.getContentTypeValue() < ContentType.CONTENT_TYPE_TEXT_VALUE || request.getContentTypeValue() > ContentType.CONTENT_TYPE_BINARY_VALUE) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "content_type " + request.getContentTypeValue() + " is not a known content type");
        }
        return conv;
    }
}

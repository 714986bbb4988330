package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.StreamPosition;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncRequest;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.internal.RpcError;
import io.synkit.protocol.rpc.RpcException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests on an authenticated link: who they act as, how many may wait for logic, what comes back. */
@ExtendWith(ByteBufLeaks.class)
class RequestRoutingTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void aForwardedRequestActsAsTheLinksDeviceWhateverItCarries() throws Exception {
        SlowReaderChannel channel = links.authenticated(42, "phone-1");
        ClientFrame send = send(links.nextRequestId());
        links.send(channel, send);
        Caller caller = links.logic.takePending().request().getCaller();
        assertEquals(42, caller.getUserId());
        assertEquals("phone-1", caller.getDeviceId());
        assertEquals(send.getRequestId(), caller.getRequestId());
        assertEquals(links.sessions.get(42, "phone-1").connId(), caller.getConnId());
    }

    @Test
    void requestsBeyondTheInflightLimitAreRateLimitedAndAnsweredOnesFreeTheirSlot() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        for (int i = 0; i < links.settings.inflightCountMax(); i++) {
            links.send(channel, send(links.nextRequestId()));
        }
        ClientFrame fifth = send(links.nextRequestId());
        links.send(channel, fifth);
        ServerFrame limited = links.onlyReceived(channel);
        assertEquals(fifth.getRequestId(), limited.getRequestId());
        assertEquals(ErrorCode.RATE_LIMITED, limited.getError().getCode());
        assertFalse(limited.getError().getFatal());
        assertEquals(4, links.logic.pending.size(), "the fifth never reached logic");

        links.logic.takePending().answer().complete(LogicResponse.newBuilder().setSendAck(SendAck.newBuilder().setSeq(8)).build());
        assertTrue(links.onlyReceived(channel).hasSendAck());
        links.send(channel, send(links.nextRequestId()));
        assertEquals(4, links.logic.pending.size(), "an answered request frees its slot");
        assertTrue(links.received(channel).isEmpty());
    }

    @Test
    void heartbeatsAreAnsweredByTheNodeAndNeverCountAsInFlight() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        for (int i = 0; i < links.settings.inflightCountMax(); i++) {
            links.send(channel, send(links.nextRequestId()));
        }
        ClientFrame heartbeat = links.heartbeat();
        links.send(channel, heartbeat);
        ServerFrame answer = links.onlyReceived(channel);
        assertEquals(heartbeat.getRequestId(), answer.getRequestId());
        assertEquals(30_000, answer.getHeartbeat().getHeartbeatIntervalMs());
    }

    @Test
    void seqsInAnswersRaiseTheSeqTheHeartbeatReports() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.send(channel, send(links.nextRequestId()));
        links.logic.takePending().answer().complete(LogicResponse.newBuilder().setSendAck(SendAck.newBuilder().setSeq(5)).build());
        links.send(channel, ClientFrame.newBuilder().setRequestId(links.nextRequestId()).setSync(SyncRequest.getDefaultInstance()).build());
        links.logic.takePending().answer().complete(LogicResponse.newBuilder().setSync(SyncResponse.newBuilder().setNewKey(SyncKey.newBuilder()
                .setEpoch(1).addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(11)))).build());
        links.received(channel);
        links.send(channel, links.heartbeat());
        assertEquals(11, links.onlyReceived(channel).getHeartbeat().getLatestInboxSeq());
    }

    @Test
    void logicErrorsReachTheClientAndWrongSetIsUnavailableToIt() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.send(channel, send(links.nextRequestId()));
        links.logic.takePending().answer().completeExceptionally(new RpcException(RpcError.newBuilder()
                .setCode(ErrorCode.WRONG_SET).setMessage("slot 7 is not here").setSlotMapVersion(3).build()));
        ServerFrame error = links.onlyReceived(channel);
        assertEquals(ErrorCode.UNAVAILABLE, error.getError().getCode());
        assertFalse(error.getError().getFatal());
        assertTrue(channel.isActive());
    }

    @Test
    void requestIdZeroAndUnknownBodiesAreInvalidButNotFatal() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.send(channel, links.heartbeat().toBuilder().setRequestId(0).build());
        ServerFrame zero = links.onlyReceived(channel);
        assertEquals(ErrorCode.INVALID_REQUEST, zero.getError().getCode());
        assertEquals(0, zero.getRequestId());
        links.send(channel, ClientFrame.newBuilder().setRequestId(links.nextRequestId()).build());
        assertEquals(ErrorCode.INVALID_REQUEST, links.onlyReceived(channel).getError().getCode());
        assertTrue(channel.isActive());
    }

    private static ClientFrame send(long requestId) {
        return ClientFrame.newBuilder().setRequestId(requestId).setSend(SendRequest.newBuilder().setConvId("d:1:2")
                .setClientMsgId("m" + requestId).setContentType(ContentType.CONTENT_TYPE_TEXT)).build();
    }
}

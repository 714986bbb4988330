package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.SyncRequest;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A1: a JVM error on a link halts the process; other failures close only that link. */
@ExtendWith(ByteBufLeaks.class)
class FatalErrorsTest {

    private final LinkHarness links = new LinkHarness();

    @AfterEach
    void close() {
        links.close();
    }

    @Test
    void anOutOfMemoryErrorOnALinkHaltsTheProcess() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        channel.pipeline().fireExceptionCaught(new OutOfMemoryError("Java heap space"));
        assertEquals(List.of("java.lang.OutOfMemoryError: Java heap space"), links.halt.reasons);
    }

    @Test
    void anOutOfMemoryErrorWhileServingARequestHaltsTheProcess() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.logic.callError = new OutOfMemoryError("Direct buffer memory");
        links.send(channel, sync());
        assertEquals(List.of("java.lang.OutOfMemoryError: Direct buffer memory"), links.halt.reasons);
    }

    @Test
    void aJvmErrorACallFailedWithHaltsTheProcess() throws Exception {
        SlowReaderChannel channel = links.authenticated(1, "phone");
        links.send(channel, sync());
        links.logic.takePending().answer().completeExceptionally(new CompletionException(new OutOfMemoryError("while parsing the answer")));
        assertEquals(List.of("java.lang.OutOfMemoryError: while parsing the answer"), links.halt.reasons);
    }

    @Test
    void anyOtherFailureClosesOnlyItsLink() throws Exception {
        SlowReaderChannel failing = links.authenticated(1, "phone");
        SlowReaderChannel other = links.authenticated(2, "phone");
        links.send(failing, sync());
        links.logic.takePending().answer().complete(null); // handling the answer throws NullPointerException in the link's task
        assertFalse(failing.isActive());
        assertTrue(other.isActive());
        assertTrue(links.halt.reasons.isEmpty(), "not a JVM error: " + links.halt.reasons);
    }

    @Test
    void aMalformedFrameGetsMalformedFrameAndOnlyItsLinkCloses() throws Exception {
        SlowReaderChannel bad = links.connect();
        SlowReaderChannel good = links.authenticated(1, "phone");
        ByteBuf garbage = bad.alloc().buffer(9).writeInt(5).writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        bad.writeInbound(garbage);
        AuthFirstTest.assertFatal(ErrorCode.MALFORMED_FRAME, links.onlyReceived(bad));
        assertFalse(bad.isActive());
        assertTrue(good.isActive());
        assertEquals(1, links.count("synkit_access_bad_frames", "code", "MALFORMED_FRAME"));
        assertTrue(links.halt.reasons.isEmpty());
    }

    private ClientFrame sync() {
        return ClientFrame.newBuilder().setRequestId(links.nextRequestId()).setSync(SyncRequest.getDefaultInstance()).build();
    }
}

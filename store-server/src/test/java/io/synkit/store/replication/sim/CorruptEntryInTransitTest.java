package io.synkit.store.replication.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.replication.ReplicationMessage;
import io.synkit.store.replication.ReplicaRole;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An entry damaged on the wire (its CRC no longer matches) is the network's fault, not the
 * backup's disk: the backup refuses the message, the primary sends the entries again, and the
 * backup catches up; nobody stops.
 */
class CorruptEntryInTransitTest {

    private final List<ReplicationMessage> repliesToPrimary = new ArrayList<>();
    /** The replica whose next incoming append with entries is damaged in transit; -1 for none. */
    private int damageNextAppendTo = -1;
    private int damaged;

    @Test
    void backupRefusesAnEntryDamagedInTransitAndCatchesUpFromTheResend() {
        SteppedSet set = new SteppedSet(15, this::carry);
        int primary = set.electPrimary();
        int backup = (primary + 1) % SteppedSet.REPLICAS;
        // Wait until the new primary's first entry is applied everywhere, so only the next write is in flight.
        set.runFor(TimeUnit.MILLISECONDS.toNanos(300));
        long before = set.nodes[backup].appliedIndex();

        damageNextAppendTo = backup;
        CompletableFuture<Long> written = set.nodes[primary].propose(ByteString.copyFromUtf8("hello"));
        set.runFor(TimeUnit.MILLISECONDS.toNanos(500));

        assertEquals(1, damaged, "one append was damaged in transit");
        assertNotEquals(ReplicaRole.STOPPED, set.nodes[backup].role(), "the backup that received the damaged entry keeps serving");
        assertNull(set.nodes[backup].stopReason(), "the backup did not stop");
        assertEquals(List.of(), set.thrown, "no replica threw");
        assertTrue(written.isDone() && !written.isCompletedExceptionally(), "the write committed");
        long index = written.join();
        assertEquals(before + 1, index);
        assertTrue(set.nodes[backup].appliedIndex() >= index, "the backup caught up from the resend: applied " + set.nodes[backup].appliedIndex());
        assertEquals("hello", set.states[backup].at(index).getPayload().toStringUtf8(), "the backup holds the entry as the primary wrote it");
        assertTrue(repliesToPrimary.stream().anyMatch(reply -> reply.getFrom() == backup && !reply.getAppendReply().getSuccess()
                && reply.getAppendReply().getCorruptIndex() == index), "the backup refused the damaged append naming the damaged entry");
    }

    private ReplicationMessage carry(int from, int to, ReplicationMessage message) {
        ReplicationMessage delivered = message;
        if (to == damageNextAppendTo && message.hasAppend() && message.getAppend().getEntriesCount() > 0) {
            delivered = damaged(message);
            damageNextAppendTo = -1;
            damaged++;
        }
        if (message.hasAppendReply()) {
            repliesToPrimary.add(message);
        }
        return delivered;
    }

    /** Flips a bit of the first entry's payload and leaves its CRC as it was. */
    private static ReplicationMessage damaged(ReplicationMessage message) {
        AppendEntries append = message.getAppend();
        Entry first = append.getEntries(0);
        byte[] payload = first.getPayload().toByteArray();
        payload[0] ^= 0x01;
        Entry broken = first.toBuilder().setPayload(ByteString.copyFrom(payload)).build();
        return message.toBuilder().setAppend(append.toBuilder().setEntries(0, broken)).build();
    }
}

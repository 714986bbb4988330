package io.synkit.store.replication.sim;

import static io.synkit.store.wire.WireFields.bytesField;
import static io.synkit.store.wire.WireFields.concat;
import static io.synkit.store.wire.WireFields.varintField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.replication.AppendEntries;
import io.synkit.protocol.replication.ReplicationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mixed versions in one SET during a gray release: a newer build's protocol adds a field to an
 * existing message and a new kind of message. Here the newer build is this protocol extended by
 * {@link #NEW_FIELD} in AppendEntries (a field the current code does not know) and a new
 * ReplicationMessage body at {@link #NEW_KIND} (an op kind it does not know), built as a real
 * descriptor at run time, so both directions are decoded by real protobuf code: what the newer
 * build writes reaches today's {@code ReplicaNode}, and what today's code writes is read by the
 * newer build's schema.
 */
class MixedVersionTest {

    /** Numbers from the operations range of the shared protobuf rules: never used by the real protocol. */
    private static final int NEW_FIELD = 79;
    private static final int NEW_KIND = 78;

    private int newKindMessages;

    @Test
    void aSetServesWhileANewerPrimaryAddsAFieldAndAnOpKindItsBackupsDoNotKnow() {
        SteppedSet set = new SteppedSet(31, this::asTheNewerBuildWritesIt);
        int primary = set.electPrimary();
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int w = 0; w < 20; w++) {
            writes.add(set.nodes[primary].propose(ByteString.copyFromUtf8("w" + w)));
            set.advance();
        }
        set.runFor(TimeUnit.MILLISECONDS.toNanos(200));

        assertTrue(newKindMessages > 0, "messages of the new kind were sent");
        assertEquals(List.of(), set.thrown, "no replica threw on what it does not know");
        for (CompletableFuture<Long> write : writes) {
            assertTrue(write.isDone() && !write.isCompletedExceptionally(), "every write was acknowledged");
        }
        for (int r = 0; r < SteppedSet.REPLICAS; r++) {
            assertEquals(set.nodes[primary].commitIndex(), set.nodes[r].appliedIndex(), "replica " + r + " applied everything");
        }
    }

    @Test
    void theNewerBuildReadsWhatTodaysCodeWritesWithItsNewFieldUnset() throws Exception {
        Descriptor newerAppend = newerAppendEntries();
        AppendEntries today = AppendEntries.newBuilder().setPrevIndex(41).setPrevEpoch(3).setCommitIndex(40).setSentAtNs(123).build();

        DynamicMessage read = DynamicMessage.parseFrom(newerAppend, today.toByteArray());

        assertEquals(41L, read.getField(newerAppend.findFieldByName("prev_index")));
        assertEquals(40L, read.getField(newerAppend.findFieldByName("commit_index")));
        assertTrue(!read.hasField(newerAppend.findFieldByNumber(NEW_FIELD)), "the new field is simply unset");
        assertEquals(0, read.getUnknownFields().asMap().size());
    }

    /**
     * What the newer build's encoder makes of each message: every append carries the new field, and
     * each heartbeat is followed by a message of the new kind. Today's decoder reads both.
     */
    private ReplicationMessage asTheNewerBuildWritesIt(int from, int to, ReplicationMessage message) {
        try {
            if (message.hasAppend()) {
                byte[] withNewField = concat(message.toByteArray(), newFieldOfAppend(message.getAppend()));
                ReplicationMessage decoded = ReplicationMessage.parseFrom(withNewField);
                assertTrue(decoded.hasAppend() && decoded.getAppend().getUnknownFields().hasField(NEW_FIELD), "the append carries the new field");
                assertEquals(message.getAppend(), decoded.getAppend().toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance())
                        .build(), "and reads as it was sent otherwise");
                if (message.getAppend().getEntriesCount() == 0) {
                    newKindMessages++;
                    ReplicationMessage newKind = ReplicationMessage.parseFrom(concat(
                            ReplicationMessage.newBuilder().setFrom(message.getFrom()).setEpoch(message.getEpoch()).build().toByteArray(),
                            bytesField(NEW_KIND, ByteString.copyFromUtf8("a body today's code has no name for"))));
                    assertEquals(ReplicationMessage.BodyCase.BODY_NOT_SET, newKind.getBodyCase());
                    assertTrue(newKind.getUnknownFields().hasField(NEW_KIND));
                }
                return decoded;
            }
            return message;
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("today's code cannot read the newer build's message", e);
        }
    }

    /** Field {@code append} (3) of ReplicationMessage again, holding only the new field: protobuf merges repeated occurrences of a message field. */
    private static byte[] newFieldOfAppend(AppendEntries append) {
        return bytesField(ReplicationMessage.APPEND_FIELD_NUMBER, ByteString.copyFrom(varintField(NEW_FIELD, append.getCommitIndex() + 1)));
    }



    /** Today's AppendEntries plus {@code uint64 next_field = 79}: the newer build's schema, as a descriptor. */
    private static Descriptor newerAppendEntries() throws Exception {
        DescriptorProto today = AppendEntries.getDescriptor().toProto();
        DescriptorProto newer = today.toBuilder().addField(FieldDescriptorProto.newBuilder().setName("next_field").setNumber(NEW_FIELD)
                .setType(FieldDescriptorProto.Type.TYPE_UINT64).setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)).build();
        FileDescriptorProto file = AppendEntries.getDescriptor().getFile().toProto().toBuilder().clearMessageType()
                .addMessageType(newer).addAllMessageType(otherMessages()).build();
        FileDescriptor built = FileDescriptor.buildFrom(file, new FileDescriptor[0]);
        return built.findMessageTypeByName("AppendEntries");
    }

    private static List<DescriptorProto> otherMessages() {
        List<DescriptorProto> others = new ArrayList<>();
        for (Descriptor message : AppendEntries.getDescriptor().getFile().getMessageTypes()) {
            if (!message.getName().equals("AppendEntries")) {
                others.add(message.toProto());
            }
        }
        return others;
    }
}

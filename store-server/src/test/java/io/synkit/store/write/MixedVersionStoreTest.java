package io.synkit.store.write;

import static io.synkit.store.wire.WireFields.bytesField;
import static io.synkit.store.wire.WireFields.concat;
import static io.synkit.store.wire.WireFields.varintField;
import static io.synkit.store.write.StoreFixture.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.internal.ReadInboxResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.replication.Entry;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.state.RocksStateMachine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/**
 * Old and new builds of a store during a gray release, for a newer protocol that adds a field to
 * MessageOp ({@link #NEW_FIELD}) and a new op kind to Op ({@link #NEW_KIND}). The newer build is
 * this protocol extended by both, as a descriptor built at run time, so both directions go through
 * real protobuf code and today's real store: what a newer primary or logic node writes is kept and
 * served intact by today's replica (a backup not yet released, or a SET rolled back after the new
 * build wrote), today's replica goes on after it (dense seqs), a write kind it does not know is
 * refused without a trace, and the newer schema reads what today's replica serves.
 */
class MixedVersionStoreTest {

    /** From the operations range of the shared protobuf rules: never used by the real protocol. */
    private static final int NEW_FIELD = 79;
    private static final int NEW_KIND = 79;
    private static final long USER = 1;

    @TempDir
    Path dir;

    @Test
    void todaysReplicaServesAnOpOfANewerKindItAppliedFromANewerPrimaryAndContinuesTheInboxAfterIt() throws Exception {
        byte[] newerOp = concat(Op.newBuilder().setSeq(1).build().toByteArray(), bytesField(NEW_KIND, ByteString.copyFromUtf8("a newer op kind's body")));
        try (StoreFixture store = new StoreFixture(dir)) {
            // What a newer primary replicates: its entry's payload is the WriteBatch of the command's
            // effects, which today's replica applies byte for byte without knowing the command.
            try (WriteBatch effects = new WriteBatch()) {
                effects.put(store.engine.handle(Column.INBOX), StoreKeys.inboxEntry(USER, 1), newerOp);
                effects.put(store.engine.handle(Column.META), StoreKeys.inboxHead(USER), StoreKeys.longValue(1));
                new RocksStateMachine(store.engine).apply(Entry.newBuilder().setIndex(1).setEpoch(1).setPayload(ByteString.copyFrom(effects.data())).build());
            }

            assertEquals(2, store.appendInbox(USER, entry("d:1:2", 1)).getSeq(), "today's code goes on after the newer op");
            ReadInboxResponse page = store.readInbox(USER, 0, 10);

            assertEquals(List.of(1L, 2L), page.getOpsList().stream().map(Op::getSeq).toList());
            Op served = page.getOps(0);
            assertEquals(Op.KindCase.KIND_NOT_SET, served.getKindCase(), "today's code has no name for the kind");
            assertTrue(served.getUnknownFields().hasField(NEW_KIND), "but keeps it");
            DynamicMessage read = DynamicMessage.parseFrom(newerSchema("Op", NEW_KIND, FieldDescriptorProto.Type.TYPE_BYTES), served.toByteArray());
            assertEquals(ByteString.copyFromUtf8("a newer op kind's body"), read.getField(read.getDescriptorForType().findFieldByNumber(NEW_KIND)),
                    "the newer build reads its op kind as it wrote it");
            assertEquals(Op.KindCase.MESSAGE, page.getOps(1).getKindCase());
        }
    }

    @Test
    void aNewerFieldOfAMessageSurvivesTodaysStoreAndTheNewerSchemaReadsIt() throws Exception {
        MessageOp withNewField = MessageOp.parseFrom(concat(entry("d:1:2", 1).toByteArray(), varintField(NEW_FIELD, 4242)));
        try (StoreFixture store = new StoreFixture(dir)) {
            store.appendInbox(USER, withNewField);
            Op served = store.readInbox(USER, 0, 10).getOps(0);

            assertEquals("d:1:2", served.getMessage().getConvId());
            Descriptor newerMessage = newerSchema("MessageOp", NEW_FIELD, FieldDescriptorProto.Type.TYPE_UINT64);
            DynamicMessage read = DynamicMessage.parseFrom(newerMessage, served.getMessage().toByteString());
            assertEquals(4242L, read.getField(newerMessage.findFieldByNumber(NEW_FIELD)), "the newer field came through today's store");
        }
    }

    @Test
    void aWriteKindTodaysStoreDoesNotKnowIsRefusedAndWritesNothing() throws Exception {
        StoreRequest newerKind = StoreRequest.parseFrom(bytesField(NEW_KIND, ByteString.copyFromUtf8("a newer write command")));
        try (StoreFixture store = new StoreFixture(dir)) {
            RpcException refused = assertThrows(RpcException.class, () -> store.write(newerKind));

            assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
            assertEquals(1, store.appendInbox(USER, entry("d:1:2", 1)).getSeq(), "the store goes on, and the refusal took no seq");
        }
    }

    /** Today's message {@code name} of synkit_client.proto plus field {@code number} of {@code type}: the newer build's schema. */
    private static Descriptor newerSchema(String name, int number, FieldDescriptorProto.Type type) throws Exception {
        FileDescriptor today = Op.getDescriptor().getFile();
        FileDescriptorProto.Builder file = today.toProto().toBuilder().clearMessageType();
        for (Descriptor message : today.getMessageTypes()) {
            DescriptorProto proto = message.toProto();
            if (message.getName().equals(name)) {
                proto = proto.toBuilder().addField(FieldDescriptorProto.newBuilder().setName("newer_field").setNumber(number).setType(type)
                        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)).build();
            }
            file.addMessageType(proto);
        }
        List<FileDescriptor> dependencies = new ArrayList<>(today.getDependencies());
        return FileDescriptor.buildFrom(file.build(), dependencies.toArray(FileDescriptor[]::new)).findMessageTypeByName(name);
    }



}

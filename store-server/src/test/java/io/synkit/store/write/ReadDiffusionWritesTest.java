package io.synkit.store.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendConvResponse;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.rocksdb.WriteBatch;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message of a group read from its log costs the same few key writes at the home SET whatever
 * the group's size (O(1), read diffusion), and a group switches to read diffusion at the change
 * that takes it past the limit, never back.
 */
class ReadDiffusionWritesTest {

    private static final int WRITE_DIFFUSION_MEMBERS_MAX = 500;

    @TempDir
    Path dir;

    private static StoreRequest create(String conv, long members) {
        return StoreRequest.newBuilder().setCreateGroup(CreateGroupStoreRequest.newBuilder().setConvId(conv)
                .addAllMemberUserIds(LongStream.rangeClosed(1, members).boxed().toList()).setWriteDiffusionMembersMax(WRITE_DIFFUSION_MEMBERS_MAX)).build();
    }

    private static StoreRequest message(String conv, String id) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder().setConvId(conv)
                .setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId(id).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFrom(new byte[200])))).build();
    }

    private static StoreRequest add(String conv, String id, List<Long> users) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder().setConvId(conv)
                .setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId(id)
                .setGroupChange(GroupChange.newBuilder().setKind(GroupChangeKind.MEMBERS_ADDED).addAllUserIds(users)))
                .setGroupMembersMax(10_000).setWriteDiffusionMembersMax(WRITE_DIFFUSION_MEMBERS_MAX)).build();
    }

    /** Keys one command writes, applied on its own. */
    private static int keysWritten(StoreEngine engine, StoreRequest request) {
        try (CommandBatch batch = new CommandBatch(engine, Clock.SYSTEM)) {
            batch.apply(request);
            int keys = batch.keyCount();
            try (WriteBatch durable = new WriteBatch(batch.data())) {
                engine.writeUnsynced(durable);
            }
            return keys;
        }
    }

    @Test
    void aMessageOfAGroupReadFromItsLogWritesTheSameFewKeysAt501And5000Members() {
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            for (long members : new long[] {501, 5_000}) {
                String conv = "g:1:m" + members;
                keysWritten(engine, create(conv, members));
                keysWritten(engine, message(conv, "first")); // the switching entry: members' pointers follow it
                int keys = keysWritten(engine, message(conv, "second"));
                assertEquals(4, keys, members + " members: entry, head, send dedup, the sender's own newest entry; no outbox record");
            }
        }
    }

    @Test
    void aGroupSwitchesAtTheChangeThatTakesItPastTheLimit() {
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            String conv = "g:1:growing";
            keysWritten(engine, create(conv, 499));
            int writeDiffused = keysWritten(engine, message(conv, "m1"));
            assertEquals(4, writeDiffused, "entry, head, send dedup, outbox record: members' inboxes follow");
            try (CommandBatch batch = new CommandBatch(engine, Clock.SYSTEM)) {
                AppendConvResponse stays = batch.apply(add(conv, "c1", List.of(500L))).getAppendConv();
                assertEquals(0, stays.getReadDiffusionFromConvSeq(), "500 members: still write diffusion");
                AppendConvResponse switched = batch.apply(add(conv, "c2", List.of(501L, 502L))).getAppendConv();
                assertEquals(3, switched.getReadDiffusionFromConvSeq(), "read from the log from the change that took it past 500");
                AppendConvResponse after = batch.apply(message(conv, "m2")).getAppendConv();
                assertEquals(3, after.getReadDiffusionFromConvSeq());
                assertTrue(after.getMessage().getConvSeq() > 3);
            }
        }
    }
}

package io.synkit.logic.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.logic.LogicPaths;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncRequest;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.internal.OutboxScanRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.StoreSet;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.runtime.Clock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large groups by read diffusion (protocol.md §15.5) over 3 in-process SETs, with groups of more
 * than 3 members read from their logs: a message then goes into no member's inbox and leaves no
 * outbox record; a group that grows past the limit switches at the change that takes it there,
 * every member's devices seeing one dense conv_seq order across the switch, sends in flight
 * included; a removed member gets the log up to the removal and nothing after; unread counts of
 * devices (the client's rules) agree with the server's conversation list, for a device that synced
 * from the start and for one that started from the list.
 */
class ReadDiffusionTest {

    private static final String GROUP = "g:1:big";
    private static final int WRITE_DIFFUSION_MEMBERS_MAX = 3;

    @TempDir
    Path dir;

    /** A device as a client must be: syncs to the end, applies ops and log entries, checks order and digests. */
    private static final class Device {
        final long user;
        final ReadState readState;
        SyncKey key = SyncKey.getDefaultInstance();
        final Map<String, List<Long>> convSeqs = new TreeMap<>();
        /** Where a conversation's next entry must be: dense, but a stream starts where its ConvStreamOp says. */
        private final Map<String, Long> next = new TreeMap<>();

        Device(long user) {
            this.user = user;
            this.readState = new ReadState(user);
        }

        void startFrom(ConversationList list) {
            readState.start(list);
            key = list.getKey();
        }

        void syncAll(LogicPaths logic) {
            for (int page = 0; page < 1000; page++) {
                SyncResponse answer = LogicPaths.answer(() -> logic.sync.sync(LogicPaths.caller(user), SyncRequest.newBuilder().setKey(key).build()));
                assertEquals(RangeDigests.of(answer.getOpsList()), answer.getDigest());
                for (Op op : answer.getOpsList()) {
                    readState.apply(op);
                    if (op.hasConvStream()) {
                        next.put(op.getConvStream().getConvId(), op.getConvStream().getFromConvSeq());
                    }
                    if (op.hasMessage() || op.hasGroupChange()) {
                        held(op.hasMessage() ? op.getMessage() : op.getGroupChange());
                    }
                }
                for (MessageOp entry : answer.getConvEntriesList()) {
                    readState.applyStreamEntry(entry);
                    held(entry);
                }
                key = answer.getNewKey();
                if (!answer.getHasMore()) {
                    return;
                }
            }
            throw new AssertionError("sync did not end");
        }

        private void held(MessageOp entry) {
            List<Long> seqs = convSeqs.computeIfAbsent(entry.getConvId(), conv -> new ArrayList<>());
            Long expected = next.get(entry.getConvId());
            if (expected != null) {
                assertEquals(expected, entry.getConvSeq(), "user " + user + " " + entry.getConvId() + " after " + seqs);
            }
            next.put(entry.getConvId(), entry.getConvSeq() + 1);
            seqs.add(entry.getConvSeq());
        }

        List<Long> group() {
            return convSeqs.getOrDefault(GROUP, List.of());
        }
    }

    private LogicPaths logic() {
        return new LogicPaths(dir, 3, Clock.SYSTEM, WRITE_DIFFUSION_MEMBERS_MAX);
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static void assertAgreesWithServer(LogicPaths logic, Device device) {
        ConversationList list = logic.conversations(device.user, 0, 0);
        Map<String, ReadState.Conversation> mine = device.readState.conversations();
        List<ConversationSummary> all = new ArrayList<>(list.getConversationsList());
        all.addAll(list.getStreamedConversationsList());
        assertEquals(all.size(), mine.size(), "user " + device.user + " " + list + " vs " + mine);
        for (ConversationSummary summary : all) {
            ReadState.Conversation conv = mine.get(summary.getConvId());
            assertEquals(summary.getUnreadCount(), conv.unreadCount(), "unread of user " + device.user + " in " + summary.getConvId());
            assertEquals(summary.getReadUpToConvSeq(), conv.readUpToConvSeq(), "mark of user " + device.user + " in " + summary.getConvId());
        }
        assertEquals(list.getUnreadTotal(), device.readState.unreadTotal(), "unread total of user " + device.user);
    }

    private static int outboxRecords(LogicPaths logic) {
        int records = 0;
        for (StoreSet set : logic.stores.slotMap().sets()) {
            records += logic.stores.call(set, StoreRequest.newBuilder().setOutboxScan(OutboxScanRequest.newBuilder().setMinAgeMs(0)).build()).join()
                    .getOutboxScan().getMessagesCount();
        }
        return records;
    }

    @Test
    void groupCreatedLargeKeepsMessagesInItsLogOnlyAndMembersSyncThemInOrder() {
        try (LogicPaths logic = logic()) {
            logic.createGroup(1, "big", range(2, 5));
            logic.send(1, GROUP, "m1", "first");
            int opsOfMember = logic.ops(3).size();

            SendAck ack = logic.send(2, GROUP, "m2", "second");
            logic.send(3, GROUP, "m3", "third");

            assertEquals(0, ack.getSeq(), "a message of a group read from its log goes into no inbox, the sender's neither");
            assertEquals(opsOfMember, logic.ops(3).size(), "no inbox op per member for a message after the switch");
            logic.completions.flush().join(); // the switching entry's mark, cleared with its SET's batch
            assertEquals(0, outboxRecords(logic), "no outbox record: nothing to fan out");
            Op pointer = logic.ops(3).get(0);
            assertTrue(pointer.hasConvStream(), "each member's inbox holds one pointer: " + pointer);
            assertEquals(1, pointer.getConvStream().getFromConvSeq());
            for (long user = 1; user <= 5; user++) {
                Device device = new Device(user);
                device.syncAll(logic);
                assertEquals(range(1, 3), device.group(), "user " + user);
                assertTrue(device.key.getPositionsList().stream().anyMatch(p -> p.getStream() == Stream.STREAM_CONV && p.getSeq() == 3));
                assertAgreesWithServer(logic, device);
            }
        }
    }

    @Test
    void groupGrowingPastTheLimitSwitchesAtTheChangeWithoutLosingOrReorderingSendsInFlight() {
        try (LogicPaths logic = logic(); LogicPaths other = new LogicPaths(logic)) {
            logic.createGroup(1, "big", range(2, 3));
            logic.send(2, GROUP, "w1", "written to inboxes");
            logic.markRead(3, GROUP, 1);
            // Sends committed in the log whose fan-out to user 3 is cut short: still in flight when the group switches.
            logic.stores.failWhen(request -> request.hasAppendInbox() && request.getAppendInbox().getUserId() == 3, ErrorCode.UNAVAILABLE);
            for (int i = 0; i < 4; i++) {
                long sender = 1 + i % 2;
                int message = i;
                assertEquals(ErrorCode.UNAVAILABLE, assertThrows(RpcException.class,
                        () -> (message % 2 == 0 ? logic : other).send(sender, GROUP, "f" + message, "in flight " + message)).code());
            }
            logic.stores.heal();
            long switchedAt = other.change(1, GROUP, "add", GroupChangeKind.MEMBERS_ADDED, range(4, 5)).getConvSeq();
            assertEquals(6, switchedAt);
            for (int i = 0; i < 4; i++) {
                assertTrue(logic.send(1 + i % 2, GROUP, "f" + i, "in flight " + i).getDuplicate(), "the client's retry is answered as the original");
            }
            other.send(4, GROUP, "after", "after the switch");
            long head = 7;

            for (long user = 1; user <= 5; user++) {
                Device device = new Device(user);
                device.syncAll(logic);
                assertEquals(user <= 3 ? range(1, head) : range(switchedAt, head), device.group(), "user " + user + " switched at " + switchedAt);
                assertAgreesWithServer(logic, device);
                assertFalse(logic.ops(user).stream().anyMatch(op -> op.hasMessage() && op.getMessage().getConvSeq() > switchedAt),
                        "no message after the switch in an inbox");
            }
        }
    }

    @Test
    void removedMemberReadsTheLogUpToTheRemovalAndNothingAfter() {
        try (LogicPaths logic = logic()) {
            logic.createGroup(1, "big", range(2, 5));
            logic.send(2, GROUP, "m1", "before");
            Device removed = new Device(2);
            removed.syncAll(logic);
            long removal = logic.change(1, GROUP, "rm", GroupChangeKind.MEMBERS_REMOVED, List.of(2L)).getConvSeq();
            logic.send(1, GROUP, "m2", "after");
            logic.send(3, GROUP, "m3", "after too");

            removed.syncAll(logic);
            removed.syncAll(logic);
            assertEquals(range(1, removal), removed.group(), "the removal is the last entry");
            assertFalse(removed.key.getPositionsList().stream().anyMatch(p -> p.getStream() == Stream.STREAM_CONV),
                    "an ended stream read to its end leaves the key");
            Device fresh = new Device(2);
            fresh.syncAll(logic);
            assertEquals(range(1, removal), fresh.group());
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(RpcException.class, () -> logic.send(2, GROUP, "m4", "me again")).code());
            assertEquals(removal, logic.history(2, GROUP, 0, 0).getEntries(0).getConvSeq(), "history stops at the removal too");

            logic.change(1, GROUP, "back", GroupChangeKind.MEMBERS_ADDED, List.of(2L));
            logic.send(3, GROUP, "m5", "welcome back");
            removed.syncAll(logic);
            assertEquals(List.of(removal + 3, removal + 4), removed.group().subList((int) removal, removed.group().size()),
                    "a new stint starts at the change that added the user again");
            assertAgreesWithServer(logic, removed);
        }
    }

    @Test
    void readMarksAndOwnEntriesAgreeOnEveryDeviceAndWithTheListOfANewDevice() {
        try (LogicPaths logic = logic()) {
            logic.createGroup(1, "team", List.of(2L, 3L));
            logic.send(2, "g:1:team", "t1", "small group, in the inbox");
            logic.send(2, "g:1:team", "t2", "unread");
            logic.send(1, "d:1:2", "d1", "direct");
            logic.createGroup(1, "big", range(2, 5));
            for (int i = 0; i < 5; i++) {
                logic.send(2 + i % 3, GROUP, "b" + i, "large " + i);
            }
            Device phone = new Device(3);
            phone.syncAll(logic);
            assertAgreesWithServer(logic, phone);

            logic.markRead(3, GROUP, 2);
            Device tablet = new Device(3);
            tablet.startFrom(logic.conversations(3, 0, 0));
            logic.send(3, GROUP, "own", "my own moves my mark");
            logic.send(4, GROUP, "b9", "unread again");
            phone.syncAll(logic);
            tablet.syncAll(logic);
            assertAgreesWithServer(logic, phone);
            assertAgreesWithServer(logic, tablet);
            assertEquals(1, phone.readState.conversations().get(GROUP).unreadCount());
            assertEquals(phone.readState.conversations(), tablet.readState.conversations());
            assertEquals(List.of(6L, 7L), tablet.group(), "the device that started from the list syncs the log on from there");

            assertEquals(0, logic.markRead(3, GROUP, 7).getUnreadCount());
            phone.syncAll(logic);
            tablet.syncAll(logic);
            assertAgreesWithServer(logic, phone);
            assertAgreesWithServer(logic, tablet);
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> logic.markRead(3, GROUP, 8)).code(),
                    "a mark beyond the log's newest entry");
        }
    }
}

package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.SynkitClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large groups by read diffusion (protocol.md §15.5) through real servers (3 SETs, logic and access
 * over sockets), with groups of more than 3 members read from their logs: a group that grows past
 * the limit while its members are sending switches without losing or reordering anything on any
 * device; online members' devices hear of new entries by a STREAM_CONV notify; a removed member's
 * devices get the log up to the removal and nothing after; unread counts of devices agree with
 * the server's conversation list.
 */
class LargeGroupReadDiffusionTest {

    private static EmbeddedCluster cluster;
    private static EventLoopGroup loops;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(3, 5000, Map.of("logic.group.write.diffusion.members.max", "3"));
        loops = NettyThreads.group("test-large-group", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        cluster.close();
    }

    /** A device: a client whose notifies are kept, its key, what it holds of each conversation. */
    private static final class Device {
        final long user;
        final SynkitClient client;
        final BlockingQueue<Notify> notifies = new LinkedBlockingQueue<>();
        final ReadState readState;
        final Map<String, List<MessageOp>> held = new TreeMap<>();
        private final Map<String, Long> next = new TreeMap<>();
        SyncKey key = SyncKey.getDefaultInstance();
        /** Entries that came from a group's log (conv_entries), not from the inbox. */
        final List<Long> fromLog = new ArrayList<>();

        Device(long user, String device) {
            this.user = user;
            this.readState = new ReadState(user);
            this.client = new SynkitClient(loops.next(), new ClientListener() {
                @Override
                public void onNotify(Notify notify) {
                    notifies.add(notify);
                }

                @Override
                public void onGoAway(GoAway goAway) {
                }

                @Override
                public void onClosed() {
                }
            }, 10_000);
            client.connect(cluster.accessAddress(), null).join();
            client.auth(TestClients.TOKENS.issue(user, device, 60_000)).join();
        }

        /** Syncs to the end in small pages, as a client must: digests, dense seqs, each conversation dense from where its stream starts. */
        void syncAll() {
            SyncResponse page;
            do {
                page = client.sync(key, 4).join();
                assertTrue(RangeDigests.matches(page.getOpsList(), page.getDigest()));
                for (Op op : page.getOpsList()) {
                    readState.apply(op);
                    if (op.hasConvStream()) {
                        next.put(op.getConvStream().getConvId(), op.getConvStream().getFromConvSeq());
                    } else if (op.hasMessage() || op.hasGroupChange()) {
                        hold(op.hasMessage() ? op.getMessage() : op.getGroupChange());
                    }
                }
                for (MessageOp entry : page.getConvEntriesList()) {
                    readState.applyStreamEntry(entry);
                    hold(entry);
                    fromLog.add(entry.getConvSeq());
                }
                key = page.getNewKey();
            } while (page.getHasMore());
        }

        private void hold(MessageOp entry) {
            Long expected = next.get(entry.getConvId());
            if (expected != null) {
                assertEquals(expected, entry.getConvSeq(), "user " + user + " " + entry.getConvId());
            }
            next.put(entry.getConvId(), entry.getConvSeq() + 1);
            held.computeIfAbsent(entry.getConvId(), conv -> new ArrayList<>()).add(entry);
        }

        List<Long> convSeqs(String conv) {
            return held.getOrDefault(conv, List.of()).stream().map(MessageOp::getConvSeq).toList();
        }

        void assertAgreesWithServer() {
            ConversationList list = client.conversationList(0, 0).join();
            List<ConversationSummary> all = new ArrayList<>(list.getConversationsList());
            all.addAll(list.getStreamedConversationsList());
            Map<String, ReadState.Conversation> mine = readState.conversations();
            assertEquals(all.size(), mine.size(), "user " + user);
            for (ConversationSummary summary : all) {
                assertEquals(summary.getReadUpToConvSeq() + "/" + summary.getUnreadCount(),
                        mine.get(summary.getConvId()).readUpToConvSeq() + "/" + mine.get(summary.getConvId()).unreadCount(),
                        "user " + user + " " + summary.getConvId());
            }
            assertEquals(list.getUnreadTotal(), readState.unreadTotal(), "user " + user);
        }
    }

    private static SendRequest text(String conv, String id) {
        return SendRequest.newBuilder().setConvId(conv).setClientMsgId(id).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFromUtf8("body of " + id)).build();
    }

    private static ChangeGroupRequest change(String conv, String id, GroupChangeKind kind, long... users) {
        return ChangeGroupRequest.newBuilder().setConvId(conv).setClientMsgId(id).setKind(kind).addAllUserIds(LongStream.of(users).boxed().toList())
                .build();
    }

    @Test
    void groupCrossingTheLimitWhileMembersSendLosesAndReordersNothingAndRemovedMembersReceiveNothing() throws Exception {
        Device creator = new Device(601, "phone");
        Device alice = new Device(602, "phone");
        Device bob = new Device(603, "phone");
        Device carol = new Device(604, "phone");
        Device dave = new Device(605, "phone");
        String group = creator.client.createGroup(CreateGroupRequest.newBuilder().setName("grows").addMemberUserIds(602).addMemberUserIds(603).build())
                .join().getConvId();

        List<CompletableFuture<SendAck>> sends = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sends.add(alice.client.send(text(group, "a" + i)));
            sends.add(bob.client.send(text(group, "b" + i)));
            if (i == 4) {
                // Four members: past the limit of 3, with sends of both before and after it in flight.
                sends.add(creator.client.changeGroup(change(group, "add", GroupChangeKind.MEMBERS_ADDED, 604, 605))
                        .thenApply(changed -> SendAck.newBuilder().setConvSeq(changed.getConvSeq()).build()));
            }
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        long switchedAt = sends.get(10).join().getConvSeq();
        long head = 25;
        assertEquals(head, sends.stream().mapToLong(ack -> ack.join().getConvSeq()).max().orElseThrow());

        Notify notify = carol.notifies.poll(10, TimeUnit.SECONDS);
        assertNotNull(notify, "an online member hears of the group");
        long removal = creator.client.changeGroup(change(group, "rm", GroupChangeKind.MEMBERS_REMOVED, 602)).join().getConvSeq();
        Notify streamNotify = null;
        for (Notify next = carol.notifies.poll(10, TimeUnit.SECONDS); next != null; next = carol.notifies.poll(10, TimeUnit.SECONDS)) {
            if (next.getStream() == Stream.STREAM_CONV && next.getSeq() == removal) {
                streamNotify = next;
                break;
            }
        }
        assertNotNull(streamNotify, "a STREAM_CONV notify names the group's new entry");
        assertEquals(group, streamNotify.getConvId());
        assertEquals(ErrorCode.FORBIDDEN, TestClients.failureCode(alice.client.send(text(group, "late"))));
        bob.client.send(text(group, "after")).join();
        carol.client.markRead(group, switchedAt + 2).join();
        dave.client.send(text(group, "own")).join();

        List<Device> devices = List.of(creator, alice, bob, carol, dave);
        for (Device device : devices) {
            device.syncAll();
            device.syncAll();
        }
        long last = head + 3;
        assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), creator.convSeqs(group));
        assertEquals(LongStream.rangeClosed(1, removal).boxed().toList(), alice.convSeqs(group), "the removal is the last entry the removed member gets");
        assertEquals(LongStream.rangeClosed(switchedAt, last).boxed().toList(), carol.convSeqs(group), "from the change that added carol");
        assertEquals(carol.convSeqs(group), carol.fromLog, "every entry after the switch comes from the log, none from the inbox");
        assertEquals(LongStream.rangeClosed(switchedAt, removal).boxed().toList(), alice.fromLog);
        assertFalse(alice.key.getPositionsList().stream().anyMatch(p -> p.getStream() == Stream.STREAM_CONV), "an ended stream leaves the key");
        for (Device device : devices) {
            for (MessageOp entry : device.held.get(group)) {
                MessageOp creators = creator.held.get(group).get((int) entry.getConvSeq() - 1);
                assertEquals(creators, entry, "user " + device.user + " holds conv_seq " + entry.getConvSeq() + " as everyone does");
            }
            device.assertAgreesWithServer();
        }
        for (Device device : List.of(creator, bob, carol)) {
            assertTrue(device.client.sync(device.key, 0).join().getOpsList().isEmpty());
        }

        Device tablet = new Device(604, "tablet");
        ConversationList list = tablet.client.conversationList(0, 0).join();
        tablet.readState.start(list);
        tablet.key = list.getKey();
        bob.client.send(text(group, "for the tablet")).join();
        tablet.syncAll();
        carol.syncAll();
        assertEquals(List.of(last + 1), tablet.convSeqs(group), "a device starting from the list reads the log on from there");
        assertEquals(carol.readState.conversations().get(group).unreadCount(), tablet.readState.conversations().get(group).unreadCount());
        tablet.assertAgreesWithServer();
        for (Device device : List.of(creator, alice, bob, carol, dave, tablet)) {
            device.client.close();
        }
    }
}

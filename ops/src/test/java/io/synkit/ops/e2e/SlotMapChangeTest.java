package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.ops.cluster.SlotMapAdmin;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.ReadConvRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.SynkitClient;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The slot map lives in the meta SET and carries a version. A store refuses keys its SET does not
 * own (WRONG_SET with its map version); after the map changes, a logic node still routing by the
 * old version is told so by the store, fetches the new map and delivers to the new owner.
 */
class SlotMapChangeTest {

    private static final long ALICE = 101;
    private static final long BOB = 102;

    @Test
    void storesRefuseForeignSlotsAndAStaleLogicNodeFollowsTheNewMap() throws Exception {
        EventLoopGroup loops = NettyThreads.group("test-slots", 1);
        // The logic node fetches the map at start and then only when a store says it is stale.
        try (EmbeddedCluster cluster = EmbeddedCluster.start(2, 5000, 3_600_000);
             SlotMapAdmin admin = new SlotMapAdmin(List.of(cluster.metaAddress()));
             RpcClientPool stores = new RpcClientPool(loops, FrameLimits.internal(), 64)) {
            SlotMap v1 = admin.read().orElseThrow();
            String conv = ConversationId.direct(ALICE, BOB).value();
            String owner1 = v1.setOfConversation(conv).setId();
            String other = v1.sets().stream().map(set -> set.setId()).filter(id -> !id.equals(owner1)).findFirst().orElseThrow();

            // A store of the wrong SET refuses the key and says which map version it checked.
            RpcException refused = readConvFails(stores, address(cluster, v1, other), conv, v1.version());
            assertEquals(ErrorCode.WRONG_SET, refused.error().getCode());
            assertEquals(v1.version(), refused.error().getSlotMapVersion());

            // Move the conversation's and both users' slots to the other SET (no data there yet).
            SlotMap next = v1;
            for (int slot : new int[] {v1.slotOfConversation(conv), v1.slotOfUser(ALICE), v1.slotOfUser(BOB)}) {
                String to = v1.setOfSlot(slot).setId().equals(owner1) ? other : owner1;
                next = next.reassign(slot, slot, to);
            }
            SlotMap v2 = admin.put(v1.version(), next, 10_000);
            assertEquals(other, v2.setOfConversation(conv).setId());
            assertThrows(RpcException.class, () -> admin.put(v1.version(), v1.reassign(0, 0, owner1), 10_000), "a change based on an old version is refused");
            awaitStores(cluster, v2.version());
            assertEquals(v1.version(), cluster.logic().slotMapVersion(), "the logic node has not looked at the meta SET since start");

            SynkitClient alice = client(loops, cluster, ALICE, "phone");
            SynkitClient bob = client(loops, cluster, BOB, "phone");
            SendAck ack = alice.send(SendRequest.newBuilder().setConvId(conv).setClientMsgId("after-move")
                    .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(ByteString.copyFromUtf8("hello new owner")).build()).join();
            assertEquals(1, ack.getConvSeq());
            assertEquals(v2.version(), cluster.logic().slotMapVersion(), "WRONG_SET made the logic node fetch the new map");

            StoreResponse atNewOwner = readConv(stores, address(cluster, v2, other), conv, v2.version());
            assertEquals(1, atNewOwner.getReadConv().getMessagesCount(), "the message lives at the new owner");
            assertEquals(ErrorCode.WRONG_SET, readConvFails(stores, address(cluster, v2, owner1), conv, v2.version()).error().getCode());
            SyncResponse synced = bob.sync(SyncKey.getDefaultInstance(), 10).join();
            assertEquals(1, synced.getOpsCount(), "the recipient's inbox at its new SET has the message");
            alice.close();
            bob.close();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String address(EmbeddedCluster cluster, SlotMap map, String setId) {
        return map.sets().stream().filter(set -> set.setId().equals(setId)).findFirst().orElseThrow().replicas().get(0);
    }

    private static StoreResponse readConv(RpcClientPool stores, String replica, String conv, long version) throws Exception {
        StoreRequest request = StoreRequest.newBuilder().setSlotMapVersion(version)
                .setReadConv(ReadConvRequest.newBuilder().setConvId(conv).setFromConvSeq(1).setLimit(10)).build();
        return StoreResponse.parseFrom(stores.get(replica).call(request, 5000).get(6, TimeUnit.SECONDS));
    }

    private static RpcException readConvFails(RpcClientPool stores, String replica, String conv, long version) {
        StoreRequest request = StoreRequest.newBuilder().setSlotMapVersion(version)
                .setReadConv(ReadConvRequest.newBuilder().setConvId(conv).setFromConvSeq(1).setLimit(10)).build();
        CompletionException failure = assertThrows(CompletionException.class, () -> stores.get(replica).call(request, 5000).join());
        return RpcException.of(failure);
    }

    private static void awaitStores(EmbeddedCluster cluster, long version) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.store(0).replicaStatus().getSlotMapVersion() < version || cluster.store(1).replicaStatus().getSlotMapVersion() < version) {
            if (System.nanoTime() > deadlineNs) {
                throw new AssertionError("stores did not see slot map version " + version);
            }
            Thread.sleep(20);
        }
    }


    private static SynkitClient client(EventLoopGroup loops, EmbeddedCluster cluster, long user, String device) {
        return TestClients.authenticated(loops.next(), cluster.accessAddress(), user, device, 10_000);
    }
}

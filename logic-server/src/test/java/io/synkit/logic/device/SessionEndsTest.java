package io.synkit.logic.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.AccessPushAck;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcPayloads;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.NettyThreads;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session ends pushed to an access node: while a push to a node is on its way, the ends that come
 * meanwhile wait and go together in one next push (a reconnect storm after a node was killed
 * made one push, and three refused connects, per login). A fake access node holds each push's
 * answer until the test releases it.
 */
class SessionEndsTest {

    private final EventLoopGroup group = NettyThreads.group("session-ends-test", 1);
    private final RpcClientPool clients = new RpcClientPool(group, FrameLimits.internal(), 16);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private RpcServer accessNode;
    private String address;

    private record Received(AccessPush push, CompletableFuture<AccessPushAck> answer) {
    }

    @BeforeEach
    void start() throws Exception {
        accessNode = new RpcServer("fake-access", (payload, timeoutMs) -> {
            CompletableFuture<AccessPushAck> answer = new CompletableFuture<>();
            received.add(new Received(RpcPayloads.parse(AccessPush.parser(), payload, "access push"), answer));
            return answer;
        }, FrameLimits.internal());
        address = "127.0.0.1:" + accessNode.start(group, group, new InetSocketAddress("127.0.0.1", 0)).getPort();
    }

    @AfterEach
    void stop() {
        accessNode.close();
        clients.close();
        timer.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void endsForANodeWithAPushOnItsWayGoTogetherInTheNextPush() throws Exception {
        SessionEnds ends = new SessionEnds(clients, timer, new SimpleMeterRegistry());
        ends.end(List.of(end(1)));
        Received first = received.poll(10, TimeUnit.SECONDS);
        assertEquals(List.of(1L), users(first.push()));

        for (long user = 2; user <= 5; user++) {
            ends.end(List.of(end(user))); // the push of user 1 is unanswered: these wait
        }
        first.answer().complete(AccessPushAck.getDefaultInstance());
        assertEquals(List.of(2L, 3L, 4L, 5L), nextPushBesides(List.of(1L)), "the waiting ends, in one push, in order");

        ends.end(List.of(end(6)));
        assertEquals(List.of(6L), nextPushBesides(List.of(2L, 3L, 4L, 5L)), "with nothing on its way, an end is pushed at once");
    }

    /**
     * The users of the next push that is not (a retry of) {@code answered}, answering every push on
     * the way: a push the fake left unanswered for 250 ms was tried again, which is not the point here.
     */
    private List<Long> nextPushBesides(List<Long> answered) throws InterruptedException {
        while (true) {
            Received next = received.poll(10, TimeUnit.SECONDS);
            next.answer().complete(AccessPushAck.getDefaultInstance());
            if (!users(next.push()).equals(answered)) {
                return users(next.push());
            }
        }
    }

    private SessionEnd end(long userId) {
        return SessionEnd.newBuilder().setUserId(userId).setDeviceId("phone").setAccessNode(address).setConnId(userId)
                .setCode(ErrorCode.LOGGED_OUT).setReason("logged out").build();
    }

    private static List<Long> users(AccessPush push) {
        return push.getEndsList().stream().map(SessionEnd::getUserId).toList();
    }
}

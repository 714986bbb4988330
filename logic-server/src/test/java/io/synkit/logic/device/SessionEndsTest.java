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
import java.util.ArrayList;
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

    /** Longer than any test here: a push the fake holds unanswered is never tried again. */
    private static final long UNANSWERED_MS_MAX = 60_000;

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
        SessionEnds ends = new SessionEnds(clients, timer, new SimpleMeterRegistry(), UNANSWERED_MS_MAX);
        ends.end(List.of(end(1)));
        Received first = received.poll(10, TimeUnit.SECONDS);
        assertEquals(List.of(1L), users(first.push()));

        for (long user = 2; user <= 5; user++) {
            ends.end(List.of(end(user))); // the push of user 1 is unanswered: these wait
        }
        first.answer().complete(AccessPushAck.getDefaultInstance());
        assertEquals(List.of(2L, 3L, 4L, 5L), nextPush(), "the waiting ends, in one push, in order");

        ends.end(List.of(end(6)));
        assertEquals(List.of(6L), nextPush(), "with nothing on its way, an end is pushed at once");
    }

    @Test
    void endsWaitingForANodeAreBoundedAndTheRestCountedAsDropped() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        SessionEnds ends = new SessionEnds(clients, timer, metrics, UNANSWERED_MS_MAX);
        ends.end(List.of(end(0)));
        Received first = received.poll(10, TimeUnit.SECONDS);

        List<SessionEnd> flood = new ArrayList<>();
        for (long user = 1; user <= SessionEnds.WAITING_ENDS_MAX + 10; user++) {
            flood.add(end(user));
        }
        ends.end(flood); // the push of user 0 is unanswered: these wait, up to the bound

        assertEquals(10.0, metrics.counter("synkit_logic_session_end_dropped").count(), "the ends beyond the bound");
        first.answer().complete(AccessPushAck.getDefaultInstance());
        List<Long> next = nextPush();
        assertEquals(SessionEnds.ENDS_PER_PUSH_MAX, next.size());
        assertEquals(1L, next.get(0), "the oldest waiting end goes first");
    }

    /** The users of the next push, answered. */
    private List<Long> nextPush() throws InterruptedException {
        Received next = received.poll(10, TimeUnit.SECONDS);
        next.answer().complete(AccessPushAck.getDefaultInstance());
        return users(next.push());
    }

    private SessionEnd end(long userId) {
        return SessionEnd.newBuilder().setUserId(userId).setDeviceId("phone").setAccessNode(address).setConnId(userId)
                .setCode(ErrorCode.LOGGED_OUT).setReason("logged out").build();
    }

    private static List<Long> users(AccessPush push) {
        return push.getEndsList().stream().map(SessionEnd::getUserId).toList();
    }
}

package io.synkit.access.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synkit.access.session.ClientSession;
import io.synkit.access.session.DeviceKey;
import io.synkit.access.session.EndedSessions;
import io.synkit.access.session.SessionRegistry;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.internal.AccessPush;
import io.synkit.protocol.internal.AccessPushAck;
import io.synkit.protocol.internal.DeviceNotify;
import io.synkit.protocol.internal.SessionEnd;
import io.synkit.runtime.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Notifies reach the connection their route names, and only it. */
class PushServiceTest {

    private final SessionRegistry sessions = new SessionRegistry();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<String> halts = new CopyOnWriteArrayList<>();
    private final EndedSessions ended = new EndedSessions(new ManualClock(0), 10_000, 16);
    private final PushService push = new PushService(sessions, ended, metrics, halts::add);

    /** A session that records what it is pushed. */
    private static final class RecordingSession implements ClientSession {
        final DeviceKey device;
        final long connId;
        final List<Long> pushedSeqs = new ArrayList<>();
        final List<ErrorCode> endedWith = new ArrayList<>();
        Error failure;

        RecordingSession(long userId, String deviceId, long connId) {
            this.device = new DeviceKey(userId, deviceId);
            this.connId = connId;
        }

        @Override
        public DeviceKey device() {
            return device;
        }

        @Override
        public long connId() {
            return connId;
        }

        @Override
        public boolean present() {
            return true;
        }

        @Override
        public void push(Notify notify) {
            if (failure != null) {
                throw failure;
            }
            pushedSeqs.add(notify.getSeq());
        }

        @Override
        public void goAway(String reason, int retryAfterMs) {
        }

        @Override
        public void goAwayAndClose(ErrorCode code, String reason) {
            endedWith.add(code);
        }

        @Override
        public void close() {
        }
    }

    private static DeviceNotify notify(long userId, String deviceId, long connId, long seq) {
        return DeviceNotify.newBuilder().setUserId(userId).setDeviceId(deviceId).setConnId(connId)
                .setNotify(Notify.newBuilder().setStream(Stream.STREAM_INBOX).setSeq(seq)).build();
    }

    private AccessPushAck handle(DeviceNotify... notifies) throws Exception {
        return (AccessPushAck) push.handle(AccessPush.newBuilder().addAllNotifies(List.of(notifies)).build().toByteString(), 2000)
                .toCompletableFuture().get();
    }

    @Test
    void aNotifyReachesTheConnectionItsRouteNames() throws Exception {
        RecordingSession phone = new RecordingSession(7, "phone", 100);
        sessions.add(phone);
        assertEquals(0, handle(notify(7, "phone", 100, 4)).getUndelivered());
        assertEquals(List.of(4L), phone.pushedSeqs);
    }

    @Test
    void aRouteToAnotherConnectionOfTheDeviceOrToNoSessionIsStale() throws Exception {
        RecordingSession phone = new RecordingSession(7, "phone", 101);
        sessions.add(phone);
        AccessPushAck ack = handle(notify(7, "phone", 100, 4), notify(8, "phone", 5, 1));
        assertEquals(2, ack.getUndelivered());
        assertTrue(phone.pushedSeqs.isEmpty(), "a replaced connection's route does not reach the newer connection");
        assertEquals(2, metrics.counter("synkit_access_notify_stale_route").count());
    }

    @Test
    void aSessionEndReachesTheConnectionItNamesAndIsRememberedForOneNotHereYet() throws Exception {
        RecordingSession phone = new RecordingSession(7, "phone", 100);
        RecordingSession newerTablet = new RecordingSession(7, "tablet", 201);
        sessions.add(phone);
        sessions.add(newerTablet);

        push.handle(AccessPush.newBuilder().addEnds(end(7, "phone", 100)).addEnds(end(7, "tablet", 200)).addEnds(end(7, "web", 300)).build()
                .toByteString(), 2000).toCompletableFuture().get();

        assertEquals(List.of(ErrorCode.LOGGED_OUT), phone.endedWith);
        assertEquals(List.of(), newerTablet.endedWith, "a newer connection of the device is not the one the end names");
        assertEquals(ErrorCode.LOGGED_OUT, ended.of(300).getCode(), "remembered for a link whose login has not reached this node");
    }

    private static SessionEnd end(long userId, String deviceId, long connId) {
        return SessionEnd.newBuilder().setUserId(userId).setDeviceId(deviceId).setConnId(connId).setCode(ErrorCode.LOGGED_OUT).setReason("logged out").build();
    }

    @Test
    void anOutOfMemoryErrorWhilePushingHaltsTheProcess() {
        RecordingSession phone = new RecordingSession(7, "phone", 100);
        phone.failure = new OutOfMemoryError("Java heap space");
        sessions.add(phone);
        assertThrows(OutOfMemoryError.class, () -> handle(notify(7, "phone", 100, 4)));
        assertEquals(List.of("java.lang.OutOfMemoryError: Java heap space"), halts);
    }
}

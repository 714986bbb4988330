package io.synkit.store.write;

import static io.synkit.store.write.StoreFixture.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.protocol.internal.PutRouteRequest;
import io.synkit.protocol.internal.RemoveRouteRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.store.read.RouteReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device routes: which access node holds which device, for notify. */
class RouteWriteTest {

    private static final long USER = 1;

    @TempDir
    Path dir;

    private StoreFixture store;
    private RouteReader routes;

    @BeforeEach
    void open() {
        store = new StoreFixture(dir);
        routes = new RouteReader(store.engine);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static DeviceRoute route(String deviceId, String accessNode, long connId) {
        return DeviceRoute.newBuilder().setDeviceId(deviceId).setAccessNode(accessNode).setConnId(connId).build();
    }

    private long put(long userId, DeviceRoute route) {
        return store.write(StoreRequest.newBuilder().setPutRoute(PutRouteRequest.newBuilder().setUserId(userId).setRoute(route)).build())
                .getPutRoute().getInboxHeadSeq();
    }

    private boolean remove(long userId, DeviceRoute route) {
        return store.write(StoreRequest.newBuilder().setRemoveRoute(RemoveRouteRequest.newBuilder().setUserId(userId).setRoute(route)).build())
                .getRemoveRoute().getRemoved();
    }

    @Test
    void putRouteAnswersTheInboxHeadSoTheDeviceKnowsWhetherToSync() {
        assertEquals(0, put(USER, route("phone", "access-1", 7)));
        store.appendInbox(USER, entry("d:1:2", 1));
        store.appendInbox(USER, entry("d:1:2", 2));

        assertEquals(2, put(USER, route("phone", "access-1", 8)));
    }

    /**
     * Finding 2 of issue 17: a retried append whose first attempt committed (its answer, with the
     * routes, lost to a timeout under load) answered without routes, so logic notified nobody of
     * that entry; for a large group's ConvStreamOp the devices held no position in the group and
     * had nothing to sync on. The retry answers the routes as the first attempt did.
     */
    @Test
    void aRetriedInboxAppendAnswersTheRoutesSoItsDevicesAreStillNotified() {
        DeviceRoute phone = route("phone", "access-1", 7);
        put(USER, phone);
        store.appendInbox(USER, entry("d:1:2", 1));

        var retried = store.appendInbox(USER, entry("d:1:2", 1));

        assertTrue(retried.getDuplicate());
        assertEquals(1, retried.getSeq());
        assertEquals(List.of(phone), retried.getRoutesList());
    }

    @Test
    void inboxAppendReturnsTheRecipientsRoutesOnly() {
        DeviceRoute phone = route("phone", "access-1", 7);
        DeviceRoute tablet = route("tablet", "access-2", 9);
        put(USER, phone);
        put(USER, tablet);
        put(2, route("laptop", "access-1", 11));

        assertEquals(List.of(phone, tablet), store.appendInbox(USER, entry("d:1:2", 1)).getRoutesList());
        assertEquals(List.of(phone, tablet), routes.routesOf(USER));
    }

    @Test
    void reconnectReplacesTheDevicesRoute() {
        put(USER, route("phone", "access-1", 7));
        DeviceRoute reconnected = route("phone", "access-2", 8);

        put(USER, reconnected);

        assertEquals(List.of(reconnected), routes.routesOf(USER));
    }

    @Test
    void lateCloseOfAnOldConnectionDoesNotRemoveTheNewRoute() {
        DeviceRoute old = route("phone", "access-1", 7);
        DeviceRoute current = route("phone", "access-1", 8);
        put(USER, old);
        put(USER, current);

        assertFalse(remove(USER, old));
        assertFalse(remove(USER, route("phone", "access-2", 8)), "same conn id on another access node is another connection");
        assertEquals(List.of(current), routes.routesOf(USER));

        assertTrue(remove(USER, current));
        assertEquals(List.of(), routes.routesOf(USER));
        assertFalse(remove(USER, current), "removing twice finds nothing");
    }

    @Test
    void routeWithoutDeviceOrAccessNodeIsAnInvalidRequest() {
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> put(USER, route("", "access-1", 1))).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> put(USER, route("phone", "", 1))).code());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(RpcException.class, () -> put(0, route("phone", "access-1", 1))).code());
        assertEquals(List.of(), routes.routesOf(USER));
    }
}

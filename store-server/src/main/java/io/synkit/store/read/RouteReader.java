package io.synkit.store.read;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.internal.DeviceRoute;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.rocksdb.RocksIterator;

/** Reads a user's committed device routes (which access node holds which device). */
public final class RouteReader {

    /** A user with more devices than this has the rest ignored for notify; sync still serves them. */
    public static final int ROUTES_PER_USER_MAX = 32;

    private final StoreEngine engine;

    public RouteReader(StoreEngine engine) {
        this.engine = engine;
    }

    public List<DeviceRoute> routesOf(long userId) {
        byte[] prefix = StoreKeys.routePrefix(userId);
        List<DeviceRoute> routes = new ArrayList<>();
        try (RocksIterator iterator = engine.iterator(Column.ROUTES)) {
            for (iterator.seek(prefix); iterator.isValid() && routes.size() < ROUTES_PER_USER_MAX; iterator.next()) {
                if (!StoreKeys.hasPrefix(iterator.key(), prefix)) {
                    break;
                }
                routes.add(parse(iterator.value()));
            }
        }
        return routes;
    }

    /**
     * The routes of each of {@code users} that has any, by user, through one iterator (a large
     * group's notify reads thousands of users: an iterator each would cost more than the seeks).
     */
    public Map<Long, List<DeviceRoute>> routesOf(List<Long> users) {
        Map<Long, List<DeviceRoute>> routes = new TreeMap<>();
        try (RocksIterator iterator = engine.iterator(Column.ROUTES)) {
            for (long user : new TreeSet<>(users)) {
                byte[] prefix = StoreKeys.routePrefix(user);
                List<DeviceRoute> mine = new ArrayList<>();
                for (iterator.seek(prefix); iterator.isValid() && mine.size() < ROUTES_PER_USER_MAX; iterator.next()) {
                    if (!StoreKeys.hasPrefix(iterator.key(), prefix)) {
                        break;
                    }
                    mine.add(parse(iterator.value()));
                }
                if (!mine.isEmpty()) {
                    routes.put(user, mine);
                }
            }
        }
        return routes;
    }

    public static DeviceRoute parse(byte[] bytes) {
        try {
            return DeviceRoute.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: route does not parse: " + e.getMessage(), e);
        }
    }
}

package io.synkit.logic.device;

import io.synkit.protocol.client.DevicePlatform;
import java.util.List;

/**
 * How many devices of one platform class may be logged in at once; a login beyond ends the
 * oldest login of its class (GoAway LOGGED_IN_ELSEWHERE, tokens revoked). The classes: phone;
 * tablet; desktop and web together; and the class of clients that name no platform. 0 = no limit.
 * The user's SET applies it, in the same write as the login, so two logins at once cannot both stay.
 *
 * @param phoneSessionsMax {@code logic.login.phone.sessions.max}
 * @param tabletSessionsMax {@code logic.login.tablet.sessions.max}
 * @param desktopSessionsMax {@code logic.login.desktop.sessions.max}: desktop and web devices together
 * @param unspecifiedSessionsMax {@code logic.login.unspecified.sessions.max}: clients that name no platform
 */
public record LoginPolicy(int phoneSessionsMax, int tabletSessionsMax, int desktopSessionsMax, int unspecifiedSessionsMax) {

    /** Largest limit a class may have: the registry keeps 64 devices per user (the store's DeviceCommands). */
    public static final int CLASS_SESSIONS_MAX = 16;

    private static final List<DevicePlatform> PHONE = List.of(DevicePlatform.DEVICE_PLATFORM_PHONE);
    private static final List<DevicePlatform> TABLET = List.of(DevicePlatform.DEVICE_PLATFORM_TABLET);
    private static final List<DevicePlatform> DESKTOP = List.of(DevicePlatform.DEVICE_PLATFORM_DESKTOP, DevicePlatform.DEVICE_PLATFORM_WEB);
    private static final List<DevicePlatform> UNSPECIFIED = List.of(DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED);

    /** The platforms that count together with {@code platform}. */
    public List<DevicePlatform> classOf(DevicePlatform platform) {
        return switch (platform) {
            case DEVICE_PLATFORM_PHONE -> PHONE;
            case DEVICE_PLATFORM_TABLET -> TABLET;
            case DEVICE_PLATFORM_DESKTOP, DEVICE_PLATFORM_WEB -> DESKTOP;
            case DEVICE_PLATFORM_UNSPECIFIED, UNRECOGNIZED -> UNSPECIFIED;
        };
    }

    /** Sessions of {@code platform}'s class at most; 0 = no limit. */
    public int sessionsMax(DevicePlatform platform) {
        return switch (platform) {
            case DEVICE_PLATFORM_PHONE -> phoneSessionsMax;
            case DEVICE_PLATFORM_TABLET -> tabletSessionsMax;
            case DEVICE_PLATFORM_DESKTOP, DEVICE_PLATFORM_WEB -> desktopSessionsMax;
            case DEVICE_PLATFORM_UNSPECIFIED, UNRECOGNIZED -> unspecifiedSessionsMax;
        };
    }

    /** A platform value this node knows, or UNSPECIFIED for one of a newer client. */
    public static DevicePlatform known(int platformValue) {
        DevicePlatform platform = DevicePlatform.forNumber(platformValue);
        return platform == null ? DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED : platform;
    }
}

package io.synkit.protocol.auth;

/** The identity a verified token grants: one device of one user, until {@code expiresAtMs}. */
public record AuthToken(long userId, String deviceId, long expiresAtMs) {

    /** Longest device id in characters. */
    public static final int DEVICE_ID_CHARS_MAX = 64;

    public AuthToken {
        if (userId <= 0) {
            throw new IllegalArgumentException("userId=" + userId + " must be positive");
        }
        if (!deviceId.matches("[A-Za-z0-9_.-]{1," + DEVICE_ID_CHARS_MAX + "}")) {
            throw new IllegalArgumentException("deviceId must be 1-" + DEVICE_ID_CHARS_MAX + " of [A-Za-z0-9_.-]");
        }
    }
}

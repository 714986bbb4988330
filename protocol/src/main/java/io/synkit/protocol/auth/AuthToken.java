package io.synkit.protocol.auth;

import java.util.regex.Pattern;

/**
 * The identity a verified token grants: one device of one user, from {@code issuedAtMs} (0 for a
 * token of format v1, which carries no issue time) until {@code expiresAtMs}. The issue time is
 * what revocation compares: a device's tokens issued before its last logout are refused.
 */
public record AuthToken(long userId, String deviceId, long issuedAtMs, long expiresAtMs) {

    /** Longest device id in characters. */
    public static final int DEVICE_ID_CHARS_MAX = 64;
    /** Compiled once: every Auth of a node builds a token (String.matches compiled the pattern for each). */
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_.-]{1," + DEVICE_ID_CHARS_MAX + "}");

    public AuthToken {
        if (userId <= 0) {
            throw new IllegalArgumentException("userId=" + userId + " must be positive");
        }
        if (!DEVICE_ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("deviceId must be 1-" + DEVICE_ID_CHARS_MAX + " of [A-Za-z0-9_.-]");
        }
        if (issuedAtMs < 0 || issuedAtMs >= expiresAtMs) {
            throw new IllegalArgumentException("issuedAtMs=" + issuedAtMs + " must be >= 0 and before expiresAtMs=" + expiresAtMs);
        }
    }
}

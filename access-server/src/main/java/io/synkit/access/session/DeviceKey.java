package io.synkit.access.session;

/**
 * One device of one user: the identity a token grants a link, and the key of the node's sessions
 * (a device has at most one session per node). The device id is the string the token carried, not
 * a copy, so a session costs no more than this small record for its key.
 */
public record DeviceKey(long userId, String deviceId) {
}

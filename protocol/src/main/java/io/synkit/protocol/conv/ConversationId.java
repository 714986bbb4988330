package io.synkit.protocol.conv;

import java.util.List;

/**
 * A conversation's id and members. A 1:1 conversation's id is {@code d:<low user id>:<high user
 * id>}, so both members derive the same id without asking the server. Group ids ({@code g:...})
 * come with the groups capability.
 */
public record ConversationId(String value, long lowUserId, long highUserId) {

    /** Longest accepted id in characters; ids are keys in every store. */
    public static final int ID_CHARS_MAX = 128;

    private static final String DIRECT_PREFIX = "d:";

    public static ConversationId direct(long userA, long userB) {
        if (userA <= 0 || userB <= 0 || userA == userB) {
            throw new IllegalArgumentException("direct conversation needs two distinct positive user ids, got " + userA + " and " + userB);
        }
        long low = Math.min(userA, userB);
        long high = Math.max(userA, userB);
        return new ConversationId(DIRECT_PREFIX + low + ":" + high, low, high);
    }

    /**
     * Parses a conversation id.
     *
     * @throws IllegalArgumentException naming the id when it is not a valid conversation id
     */
    public static ConversationId parse(String value) {
        if (value.isEmpty() || value.length() > ID_CHARS_MAX) {
            throw new IllegalArgumentException("conv_id must have 1.." + ID_CHARS_MAX + " characters, got " + value.length());
        }
        if (!value.startsWith(DIRECT_PREFIX)) {
            throw new IllegalArgumentException("conv_id '" + value + "' is not a known conversation kind (expected d:<user>:<user>)");
        }
        String[] parts = value.substring(DIRECT_PREFIX.length()).split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("conv_id '" + value + "' must be d:<low user id>:<high user id>");
        }
        long low = parseUserId(value, parts[0]);
        long high = parseUserId(value, parts[1]);
        if (low >= high) {
            throw new IllegalArgumentException("conv_id '" + value + "' must name two distinct users, lower id first");
        }
        return new ConversationId(value, low, high);
    }

    private static long parseUserId(String conv, String part) {
        if (!isDecimalId(part)) {
            throw new IllegalArgumentException("conv_id '" + conv + "' has a malformed user id '" + part + "'");
        }
        try {
            long id = Long.parseLong(part);
            if (id <= 0) {
                throw new IllegalArgumentException("conv_id '" + conv + "' has a non-positive user id " + id);
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("conv_id '" + conv + "' has a malformed user id '" + part + "'", e);
        }
    }

    /** {@code [1-9][0-9]{0,18}}, checked by hand: this runs for every message on the hot path. */
    private static boolean isDecimalId(String part) {
        if (part.isEmpty() || part.length() > 19 || part.charAt(0) < '1' || part.charAt(0) > '9') {
            return false;
        }
        for (int i = 1; i < part.length(); i++) {
            if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    public boolean hasMember(long userId) {
        return userId == lowUserId || userId == highUserId;
    }

    /** Members in a fixed order (lowest id first), so every fan-out visits them alike. */
    public List<Long> members() {
        return List.of(lowUserId, highUserId);
    }

    @Override
    public String toString() {
        return value;
    }
}

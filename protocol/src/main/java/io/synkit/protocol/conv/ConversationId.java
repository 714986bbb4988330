package io.synkit.protocol.conv;

import io.synkit.protocol.user.DecimalIds;
import java.util.List;

/**
 * A conversation's id. A 1:1 conversation's id is {@code d:<low user id>:<high user id>}, so both
 * members derive the same id without asking the server, and its members are in the id. A group's
 * id is {@code g:<creator user id>:<name>} (name: 1-32 of {@code [a-z0-9-]}, chosen by the
 * creator, so creating is idempotent); its members live in the group record in the
 * conversation's home SET. For a group, {@code lowUserId} is the creator and {@code highUserId} 0.
 */
public record ConversationId(String value, long lowUserId, long highUserId) {

    /** Longest accepted id in characters; ids are keys in every store. */
    public static final int ID_CHARS_MAX = 128;

    private static final String DIRECT_PREFIX = "d:";
    private static final String GROUP_PREFIX = "g:";
    /** Longest group name. */
    public static final int GROUP_NAME_CHARS_MAX = 32;

    public static ConversationId direct(long userA, long userB) {
        if (userA <= 0 || userB <= 0 || userA == userB) {
            throw new IllegalArgumentException("direct conversation needs two distinct positive user ids, got " + userA + " and " + userB);
        }
        long low = Math.min(userA, userB);
        long high = Math.max(userA, userB);
        return new ConversationId(DIRECT_PREFIX + low + ":" + high, low, high);
    }

    public static ConversationId group(long creatorUserId, String name) {
        if (creatorUserId <= 0) {
            throw new IllegalArgumentException("group creator must be a positive user id, got " + creatorUserId);
        }
        if (!isGroupName(name)) {
            throw new IllegalArgumentException("group name '" + name + "' must be 1-" + GROUP_NAME_CHARS_MAX + " of [a-z0-9-]");
        }
        return new ConversationId(GROUP_PREFIX + creatorUserId + ":" + name, creatorUserId, 0);
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
        if (value.startsWith(GROUP_PREFIX)) {
            int colon = value.indexOf(':', GROUP_PREFIX.length());
            if (colon < 0) {
                throw new IllegalArgumentException("conv_id '" + value + "' must be g:<creator user id>:<name>");
            }
            long creator = parseUserId(value, value.substring(GROUP_PREFIX.length(), colon));
            String name = value.substring(colon + 1);
            if (!isGroupName(name)) {
                throw new IllegalArgumentException("conv_id '" + value + "' has a group name that is not 1-" + GROUP_NAME_CHARS_MAX + " of [a-z0-9-]");
            }
            return new ConversationId(value, creator, 0);
        }
        if (!value.startsWith(DIRECT_PREFIX)) {
            throw new IllegalArgumentException("conv_id '" + value + "' is not a known conversation kind (expected d:<user>:<user> or g:<user>:<name>)");
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
        return DecimalIds.parsePositive(part, "conv_id '" + conv + "' user id");
    }

    private static boolean isGroupName(String name) {
        if (name.isEmpty() || name.length() > GROUP_NAME_CHARS_MAX) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    public boolean isGroup() {
        return highUserId == 0;
    }

    /** 1:1 only: whether the user is one of the two; a group's members are in its group record. */
    public boolean hasMember(long userId) {
        requireDirect();
        return userId == lowUserId || userId == highUserId;
    }

    /** 1:1 only: both members in a fixed order (lowest id first), so every fan-out visits them alike. */
    public List<Long> members() {
        requireDirect();
        return List.of(lowUserId, highUserId);
    }

    private void requireDirect() {
        if (isGroup()) {
            throw new IllegalStateException("group " + value + " keeps its members in its group record, not in its id");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}

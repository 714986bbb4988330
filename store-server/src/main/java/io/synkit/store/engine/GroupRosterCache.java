package io.synkit.store.engine;

import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parsed group records, reused while the stored bytes are the same. A large group's record holds
 * up to 10,000 members and 1,000 departed stints (~100 KB): parsing it again for every message
 * appended and for every member's sync of the group's log (read diffusion) would cost far more
 * than the reads themselves. A hit is checked against the bytes just read, so it is never stale;
 * {@link GroupRoster} is immutable, so one parse serves every thread.
 */
public final class GroupRosterCache {

    /** Records kept at most; past this the cache starts over (a parse is only a cost, never wrong). */
    static final int CACHED_MAX = 1_024;

    /** Smaller records are parsed each time: their parse costs about what the comparison does. */
    static final int CACHED_BYTES_MIN = 4_096;

    private record Parsed(byte[] bytes, GroupRoster roster) {
    }

    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    /** The roster of the stored record {@code value} of {@code conv} (null: no such group). */
    public GroupRoster of(byte[] value, ConversationId conv) {
        if (value == null || value.length < CACHED_BYTES_MIN) {
            return StoreKeys.groupRosterOf(value, conv);
        }
        Parsed known = parsed.get(conv.value());
        if (known != null && Arrays.equals(known.bytes(), value)) {
            return known.roster();
        }
        GroupRoster roster = StoreKeys.groupRosterOf(value, conv);
        if (parsed.size() >= CACHED_MAX) {
            parsed.clear();
        }
        parsed.put(conv.value(), new Parsed(value, roster));
        return roster;
    }
}

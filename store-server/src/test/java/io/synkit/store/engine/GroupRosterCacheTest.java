package io.synkit.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** A large record is parsed once while its bytes stay the same, and again as soon as they change. */
class GroupRosterCacheTest {

    private static final ConversationId GROUP = ConversationId.parse("g:1:big");

    @Test
    void theSameBytesGiveTheSameRosterAndChangedBytesANewOne() {
        GroupRosterCache cache = new GroupRosterCache();
        GroupRoster created = GroupRoster.created(1, LongStream.rangeClosed(1, 2_000).boxed().toList(), false);
        byte[] stored = created.record().toByteArray();
        GroupRoster first = cache.of(stored, GROUP);
        assertSame(first, cache.of(stored.clone(), GROUP), "equal bytes read again: the parse is reused");

        byte[] changed = created.changed(1, GroupChange.newBuilder().setKind(GroupChangeKind.MEMBERS_REMOVED).addUserIds(7).build(), 1, 10_000)
                .record().toByteArray();
        GroupRoster after = cache.of(changed, GROUP);
        assertFalse(after.current().contains(7L), "changed bytes are parsed again, never answered from the cache");
        assertEquals(List.of(), cache.of(null, GROUP).current(), "no record: no group");
    }
}

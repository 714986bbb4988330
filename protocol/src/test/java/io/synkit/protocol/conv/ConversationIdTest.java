package io.synkit.protocol.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationIdTest {

    private static void assertRejected(String value) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> ConversationId.parse(value), value);
        assertTrue(value.length() > ConversationId.ID_CHARS_MAX || failure.getMessage().contains(value),
                "message names the id: " + failure.getMessage());
    }

    @Test
    void bothMembersDeriveTheSameDirectId() {
        ConversationId fromLow = ConversationId.direct(3, 90);
        ConversationId fromHigh = ConversationId.direct(90, 3);

        assertEquals("d:3:90", fromLow.value());
        assertEquals(fromLow, fromHigh);
        assertEquals(3, fromLow.lowUserId());
        assertEquals(90, fromLow.highUserId());
    }

    @Test
    void parseOfADirectIdGivesTheSameConversation() {
        ConversationId direct = ConversationId.direct(Long.MAX_VALUE, 1);

        assertEquals(direct, ConversationId.parse(direct.value()));
        assertEquals(direct, ConversationId.parse("d:1:" + Long.MAX_VALUE));
    }

    @Test
    void membersAreExactlyTheTwoUsersLowestFirst() {
        ConversationId conv = ConversationId.parse("d:5:12");

        assertEquals(List.of(5L, 12L), conv.members());
        assertTrue(conv.hasMember(5) && conv.hasMember(12));
        assertFalse(conv.hasMember(6) || conv.hasMember(0) || conv.hasMember(-5));
    }

    @Test
    void directRejectsSelfChatAndNonPositiveUsers() {
        assertThrows(IllegalArgumentException.class, () -> ConversationId.direct(7, 7));
        assertThrows(IllegalArgumentException.class, () -> ConversationId.direct(0, 7));
        assertThrows(IllegalArgumentException.class, () -> ConversationId.direct(7, -1));
    }

    @Test
    void parseRejectsSelfChatAndHigherIdFirst() {
        assertRejected("d:7:7");
        assertRejected("d:9:3");
    }

    @Test
    void parseRejectsLeadingZerosSoEachPairHasOneId() {
        assertRejected("d:03:9");
        assertRejected("d:3:09");
        assertRejected("d:0:9");
    }

    @Test
    void parseRejectsNonNumericAndOverflowingUserIds() {
        assertRejected("d:x:9");
        assertRejected("d:3:9a");
        assertRejected("d:-3:9");
        assertRejected("d:3:9223372036854775808");
        assertRejected("d:3:12345678901234567890");
        assertRejected("d::9");
        assertRejected("d:3:");
    }

    @Test
    void parseRejectsWrongShapeAndPrefix() {
        assertRejected("");
        assertRejected("g:3:");
        assertRejected("g:0:team");
        assertRejected("g:3:Team");
        assertRejected("g:3:" + "a".repeat(ConversationId.GROUP_NAME_CHARS_MAX + 1));
        assertRejected("g:team");
        assertRejected("D:3:9");
        assertRejected("3:9");
        assertRejected("d:3");
        assertRejected("d:3:9:12");
    }

    @Test
    void parseRejectsIdsLongerThanTheLimit() {
        String tooLong = "d:1:" + "2".repeat(ConversationId.ID_CHARS_MAX - 3);
        assertEquals(ConversationId.ID_CHARS_MAX + 1, tooLong.length());

        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> ConversationId.parse(tooLong));

        assertTrue(failure.getMessage().contains(String.valueOf(ConversationId.ID_CHARS_MAX)), failure.getMessage());
    }

    @Test
    void groupIdsNameTheirCreatorAndKeepMembersElsewhere() {
        ConversationId group = ConversationId.parse("g:42:book-club-7");
        assertTrue(group.isGroup());
        assertEquals(42, group.lowUserId());
        assertEquals(group, ConversationId.group(42, "book-club-7"));
        assertThrows(IllegalStateException.class, group::members, "a group's members are in its record");
        assertThrows(IllegalStateException.class, () -> group.hasMember(42));
        assertThrows(IllegalArgumentException.class, () -> ConversationId.group(42, "with space"));
        assertTrue(!ConversationId.direct(1, 2).isGroup());
    }
}

package io.synkit.protocol.slot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The slots of known ids, pinned as every release so far has placed them: a change to the
 * placement hash would silently move users and conversations to other SETs, away from their data.
 * If one of these fails, the change moves stored data: it needs a migration, not a new pin.
 */
class SlotHashTest {

    private static final int SLOTS = 4096;

    @Test
    void knownUsersKeepTheirSlots() {
        Map<Long, int[]> slotsByUser = Map.of(
                1L, new int[] {3265, 65},
                2L, new int[] {1742, 10},
                3L, new int[] {4077, 53},
                7L, new int[] {3543, 87},
                42L, new int[] {3733, 13},
                1000L, new int[] {328, 76},
                123_456_789L, new int[] {1657, 97},
                1L << 31, new int[] {876, 68},
                1L << 53, new int[] {463, 47},
                Long.MAX_VALUE, new int[] {3751, 39});

        slotsByUser.forEach((user, slots) -> {
            assertEquals(slots[0], SlotHash.ofUser(user, SLOTS), "user " + user + " of " + SLOTS + " slots");
            assertEquals(slots[1], SlotHash.ofUser(user, 100), "user " + user + " of 100 slots");
        });
    }

    @Test
    void knownConversationsKeepTheirSlots() {
        Map<String, int[]> slotsByConversation = Map.of(
                "d:1:2", new int[] {1822, 86},
                "d:7:42", new int[] {3892, 88},
                "d:1000:123456789", new int[] {843, 43},
                "g:1:friends", new int[] {2829, 1},
                "g:42:team-7", new int[] {926, 70});

        slotsByConversation.forEach((conv, slots) -> {
            assertEquals(slots[0], SlotHash.ofConversation(conv, SLOTS), conv + " of " + SLOTS + " slots");
            assertEquals(slots[1], SlotHash.ofConversation(conv, 100), conv + " of 100 slots");
        });
    }

    @Test
    void userSlotIsSplitMix64OfTheIdModuloTheSlotCount() {
        // SplitMix64's reference outputs (0xE220A8397B1DCDAF for 0, 0x6E789E6AA1B965F4 for the
        // golden gamma, Vigna's splitmix64.c): clients in other languages can check their port.
        assertEquals(0xDAF, SlotHash.ofUser(0, SLOTS));
        assertEquals(0x5F4, SlotHash.ofUser(0x9E3779B97F4A7C15L, SLOTS));
    }

    @Test
    void aSlotCountBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SlotHash.ofUser(1, 0));
    }
}

package io.synkit.protocol.slot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.internal.SlotMapRecord;
import io.synkit.protocol.internal.StoreSetRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotMapTest {

    private static final String THREE_SETS = "s1=10.0.0.1:7301|10.0.0.2:7301|10.0.0.3:7301,s2=10.0.1.1:7301,s3=10.0.2.1:7301";

    private static IllegalArgumentException rejected(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(1, 64, spec), spec);
    }

    @Test
    void everySlotBelongsToASetInContiguousNearlyEqualRanges() {
        SlotMap map = SlotMap.parse(5, SlotMap.SLOT_COUNT_DEFAULT, THREE_SETS);

        Map<String, Integer> slotsBySet = new HashMap<>();
        int previousSetIndex = 0;
        for (int slot = 0; slot < map.slotCount(); slot++) {
            StoreSet set = map.setOfSlot(slot);
            int setIndex = map.sets().indexOf(set);
            assertTrue(setIndex == previousSetIndex || setIndex == previousSetIndex + 1, "slot " + slot + " breaks the contiguous ranges");
            previousSetIndex = setIndex;
            slotsBySet.merge(set.setId(), 1, Integer::sum);
        }
        assertEquals(SlotMap.SLOT_COUNT_DEFAULT, slotsBySet.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(3, slotsBySet.size());
        slotsBySet.values().forEach(count -> assertTrue(count == 1365 || count == 1366, slotsBySet.toString()));
        assertEquals("s1", map.setOfSlot(0).setId());
        assertEquals("s3", map.setOfSlot(SlotMap.SLOT_COUNT_DEFAULT - 1).setId());
        assertEquals(5, map.version());
    }

    @Test
    void asManySetsAsSlotsGivesEachSetOneSlot() {
        SlotMap map = SlotMap.parse(1, 3, THREE_SETS);

        assertEquals(List.of("s1", "s2", "s3"), List.of(map.setOfSlot(0).setId(), map.setOfSlot(1).setId(), map.setOfSlot(2).setId()));
    }

    @Test
    void slotOfUserIsStableAcrossMapsAndVersions() {
        SlotMap first = SlotMap.parse(1, SlotMap.SLOT_COUNT_DEFAULT, THREE_SETS);
        SlotMap second = SlotMap.evenly(2, SlotMap.SLOT_COUNT_DEFAULT, List.of(new StoreSet("x", List.of("h:1"))));

        for (long user = 1; user <= 10_000; user++) {
            int slot = first.slotOfUser(user);
            assertTrue(slot >= 0 && slot < SlotMap.SLOT_COUNT_DEFAULT, "user " + user + " slot " + slot);
            assertEquals(slot, second.slotOfUser(user), "user " + user);
            assertEquals(first.slotOfConversation("d:" + user + ":" + (user + 1)), second.slotOfConversation("d:" + user + ":" + (user + 1)));
        }
    }

    @Test
    void slotsComeFromSlotHash() {
        SlotMap map = SlotMap.parse(1, SlotMap.SLOT_COUNT_DEFAULT, THREE_SETS);

        assertEquals(SlotHash.ofUser(42, SlotMap.SLOT_COUNT_DEFAULT), map.slotOfUser(42));
        assertEquals(SlotHash.ofConversation("d:7:42", SlotMap.SLOT_COUNT_DEFAULT), map.slotOfConversation("d:7:42"));
    }

    @Test
    void usersSpreadEvenlyOverSets() {
        SlotMap map = SlotMap.parse(1, SlotMap.SLOT_COUNT_DEFAULT, THREE_SETS);
        Map<String, Integer> usersBySet = new HashMap<>();

        for (long user = 1; user <= 30_000; user++) {
            usersBySet.merge(map.setOfUser(user).setId(), 1, Integer::sum);
        }

        usersBySet.values().forEach(count -> assertTrue(count > 9_000 && count < 11_000, usersBySet.toString()));
    }

    @Test
    void parseKeepsReplicaOrderAndTrimsSpaces() {
        SlotMap map = SlotMap.parse(1, 16, " s1 = a:1 | b:2 ,s2=c:3");

        assertEquals(new StoreSet("s1", List.of("a:1", "b:2")), map.sets().get(0));
        assertEquals(new StoreSet("s2", List.of("c:3")), map.sets().get(1));
    }

    @Test
    void duplicateSetIdIsRejected() {
        IllegalArgumentException failure = rejected("s1=a:1,s2=b:1,s1=c:1");

        assertTrue(failure.getMessage().contains("s1") && failure.getMessage().contains("twice"), failure.getMessage());
    }

    @Test
    void entryWithoutSetIdIsRejectedNamingTheEntry() {
        assertTrue(rejected("a:1").getMessage().contains("'a:1'"));
        assertTrue(rejected("=a:1").getMessage().contains("'=a:1'"));
        assertTrue(rejected("s1=a:1,,s2=b:1").getMessage().contains("''"));
        assertTrue(rejected("").getMessage().contains("<set id>=<host:port>"));
    }

    @Test
    void badSetIdIsRejectedNamingIt() {
        assertTrue(rejected("S1=a:1").getMessage().contains("S1"));
        assertTrue(rejected("s_1=a:1").getMessage().contains("s_1"));
        assertTrue(rejected("x".repeat(33) + "=a:1").getMessage().contains("1-32"));
    }

    @Test
    void slotCountAndSetCountAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(1, 0, "s1=a:1"));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(1, (1 << 20) + 1, "s1=a:1"));
        IllegalArgumentException tooManySets = assertThrows(IllegalArgumentException.class, () -> SlotMap.parse(1, 2, THREE_SETS));
        assertTrue(tooManySets.getMessage().contains("3") && tooManySets.getMessage().contains("slotCount=2"), tooManySets.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SlotMap.evenly(1, 16, List.of()));
    }

    @Test
    void aRecordRoundTripsToTheSameOwnership() {
        SlotMap map = SlotMap.parse(7, 64, THREE_SETS).reassign(3, 9, "s3");
        SlotMap back = SlotMap.fromRecord(map.toRecord());
        assertEquals(8, back.version());
        for (int slot = 0; slot < 64; slot++) {
            assertEquals(map.setOfSlot(slot), back.setOfSlot(slot), "slot " + slot);
        }
        assertEquals(List.of("s1 slots=15 ranges=0-2,10-21 replicas=10.0.0.1:7301,10.0.0.2:7301,10.0.0.3:7301",
                "s2 slots=21 ranges=22-42 replicas=10.0.1.1:7301", "s3 slots=28 ranges=3-9,43-63 replicas=10.0.2.1:7301"), back.describe());
    }

    @Test
    void reassignBumpsTheVersionAndChecksItsArguments() {
        SlotMap map = SlotMap.parse(1, 16, THREE_SETS);
        SlotMap next = map.reassign(0, 15, "s2");
        assertEquals(2, next.version());
        assertEquals("s2", next.setOfSlot(0).setId());
        assertEquals("s1", map.setOfSlot(0).setId(), "maps are immutable");
        assertThrows(IllegalArgumentException.class, () -> map.reassign(0, 16, "s2"));
        assertThrows(IllegalArgumentException.class, () -> map.reassign(5, 4, "s2"));
        assertThrows(IllegalArgumentException.class, () -> map.reassign(0, 1, "s9"));
    }

    @Test
    void aMalformedRecordIsRefusedWithTheReason() {
        SlotMapRecord good = SlotMap.parse(1, 16, THREE_SETS).toRecord();
        IllegalArgumentException badIndex = assertThrows(IllegalArgumentException.class,
                () -> SlotMap.fromRecord(good.toBuilder().setSetIndexBySlot(4, 3).build()));
        assertTrue(badIndex.getMessage().contains("slot 4"), badIndex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SlotMap.fromRecord(good.toBuilder().setVersion(0).build()));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.fromRecord(good.toBuilder().clearSetIndexBySlot().build()));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.fromRecord(good.toBuilder().addSets(good.getSets(0)).build()));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.fromRecord(good.toBuilder()
                .setSets(0, StoreSetRecord.newBuilder().setSetId("s1").addReplicas("no-port")).build()));
    }
}

package io.synkit.store.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.Entry;
import org.junit.jupiter.api.Test;

class RecentEntriesTest {

    private static Entry entry(long index, int payloadBytes) {
        return Entries.of(1, index, ByteString.copyFrom(new byte[payloadBytes]));
    }

    @Test
    void holdsADenseRunAcrossRingGrowthAndServesEachIndex() {
        RecentEntries recent = new RecentEntries(1 << 20);
        Entry[] added = new Entry[1000];
        for (int i = 0; i < added.length; i++) {
            added[i] = entry(10 + i, 10);
            recent.add(added[i]);
        }
        assertEquals(10, recent.firstIndex());
        for (int i = 0; i < added.length; i++) {
            assertSame(added[i], recent.get(10 + i));
        }
        assertNull(recent.get(9));
        assertNull(recent.get(1010));
    }

    @Test
    void dropsTheOldestBeyondTheByteBudget() {
        RecentEntries recent = new RecentEntries(100);
        for (long index = 1; index <= 25; index++) {
            recent.add(entry(index, 10));
        }
        assertEquals(16, recent.firstIndex(), "10 entries of 10 bytes fit in 100");
        assertNull(recent.get(15));
        assertEquals(25, recent.get(25).getIndex());
        recent.add(entry(26, 500));
        assertEquals(Long.MAX_VALUE, recent.firstIndex(), "an entry above the whole budget is not kept, nor anything before it");
    }

    @Test
    void truncationsCutTheRunAndAGapRestartsIt() {
        RecentEntries recent = new RecentEntries(1 << 20);
        for (long index = 1; index <= 10; index++) {
            recent.add(entry(index, 1));
        }
        recent.truncateFrom(8);
        assertNull(recent.get(8));
        assertEquals(7, recent.get(7).getIndex());
        recent.add(entry(8, 1));
        assertEquals(8, recent.get(8).getIndex(), "the run continues after a suffix truncation");
        recent.dropUpTo(3);
        assertEquals(4, recent.firstIndex());
        recent.add(entry(20, 1));
        assertEquals(20, recent.firstIndex(), "an index that does not continue the run starts a new one");
        assertNull(recent.get(8));
        recent.clear();
        assertNull(recent.get(20));
    }
}

package io.synkit.protocol.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.RangeDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RangeDigestsTest {

    private static List<Op> ops(long... seqs) {
        List<Op> ops = new ArrayList<>();
        for (long seq : seqs) {
            ops.add(Op.newBuilder().setSeq(seq).build());
        }
        return ops;
    }

    private static List<Op> range(long firstSeq, long lastSeq) {
        return ops(LongStream.rangeClosed(firstSeq, lastSeq).toArray());
    }

    @Test
    void splitmix64MatchesTheReferenceOutputs() {
        // SplitMix64 seeded with 0: its first two outputs (Vigna's splitmix64.c). Clients in every
        // language compute the digest; if this mixer drifts, every client sees every page as corrupt.
        assertEquals(0xE220A8397B1DCDAFL, RangeDigests.splitmix64(0));
        assertEquals(0x6E789E6AA1B965F4L, RangeDigests.splitmix64(0x9E3779B97F4A7C15L));
    }

    @Test
    void digestIsCountAndXorOfMixedSeqs() {
        RangeDigest digest = RangeDigests.of(ops(1, 2, 3));

        assertEquals(3, digest.getCount());
        assertEquals(RangeDigests.splitmix64(1) ^ RangeDigests.splitmix64(2) ^ RangeDigests.splitmix64(3), digest.getHash());
        assertEquals(RangeDigest.newBuilder().setCount(0).setHash(0).build(), RangeDigests.of(List.of()));
    }

    @Test
    void digestDoesNotDependOnOrder() {
        long seed = Long.getLong("synkit.test.seed", System.nanoTime());
        System.out.println("digestDoesNotDependOnOrder seed=" + seed + " (replay: -Dsynkit.test.seed=" + seed + ")");
        List<Op> page = range(1, 500);
        RangeDigest inOrder = RangeDigests.of(page);
        List<Op> shuffled = new ArrayList<>(page);
        Collections.shuffle(shuffled, new Random(seed));

        assertEquals(inOrder, RangeDigests.of(shuffled), "seed=" + seed);
        assertTrue(RangeDigests.matches(shuffled, inOrder), "seed=" + seed);
    }

    @Test
    void missingSeqIsDetected() {
        RangeDigest digest = RangeDigests.of(range(1, 10));

        for (long missing = 1; missing <= 10; missing++) {
            List<Op> held = new ArrayList<>(range(1, 10));
            held.remove((int) missing - 1);
            assertFalse(RangeDigests.matches(held, digest), "missing seq " + missing);
        }
    }

    @Test
    void extraOrRepeatedSeqIsDetected() {
        RangeDigest digest = RangeDigests.of(range(1, 10));

        assertFalse(RangeDigests.matches(range(1, 11), digest));
        assertFalse(RangeDigests.matches(range(0, 10), digest));
        List<Op> repeated = new ArrayList<>(range(1, 10));
        repeated.add(Op.newBuilder().setSeq(5).build());
        assertFalse(RangeDigests.matches(repeated, digest));
    }

    @Test
    void changedSeqIsDetectedEvenWithTheSameCount() {
        RangeDigest digest = RangeDigests.of(range(1, 10));
        List<Op> shifted = range(1, 10);
        shifted.set(4, Op.newBuilder().setSeq(11).build());

        assertEquals(digest.getCount(), RangeDigests.of(shifted).getCount());
        assertNotEquals(digest.getHash(), RangeDigests.of(shifted).getHash());
        assertFalse(RangeDigests.matches(shifted, digest));
        // Two ops swapping one seq for its neighbour: 1,2,2,4 vs 1,2,3,4.
        assertFalse(RangeDigests.matches(ops(1, 2, 2, 4), RangeDigests.of(ops(1, 2, 3, 4))));
    }

    @Test
    void exactPageMatchesItsDigest() {
        List<Op> page = range(41, 80);

        assertTrue(RangeDigests.matches(page, RangeDigests.of(page)));
        assertTrue(RangeDigests.matches(List.of(), RangeDigests.of(List.of())));
    }
}

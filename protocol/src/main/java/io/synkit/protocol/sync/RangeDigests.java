package io.synkit.protocol.sync;

import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.RangeDigest;
import java.util.List;

/**
 * The digest of a sync page: count of ops and XOR of splitmix64(seq) over them. Order-free, so a
 * client can compute it over what it stored and compare; any missing, extra or altered seq
 * changes it with overwhelming probability.
 */
public final class RangeDigests {

    private RangeDigests() {
    }

    public static RangeDigest of(List<Op> ops) {
        long hash = 0;
        for (Op op : ops) {
            hash ^= splitmix64(op.getSeq());
        }
        return RangeDigest.newBuilder().setCount(ops.size()).setHash(hash).build();
    }

    /** Checks a page against its digest: the ops must be exactly the digested ones. */
    public static boolean matches(List<Op> ops, RangeDigest digest) {
        return of(ops).equals(digest);
    }

    /**
     * Steele, Lea and Flood's SplitMix64 finalizer: a cheap, well-mixed 64-bit bijection. The
     * digest's own: slot placement has its own copy ({@link io.synkit.protocol.slot.SlotHash}), so
     * the digest may change without moving any user to another SET.
     */
    public static long splitmix64(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

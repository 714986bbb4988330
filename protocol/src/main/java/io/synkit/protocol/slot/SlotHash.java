package io.synkit.protocol.slot;

import java.nio.charset.StandardCharsets;

/**
 * Where a user or a conversation lives: its slot among {@code slotCount}. The function is part of
 * the stored data's layout: changing it would move every user and conversation to another slot,
 * hence another SET, while their data stays where it is. So it is placement's own, shared with
 * nothing else (the sync digest also uses SplitMix64, but may change on its own), and
 * {@code SlotHashTest} pins the slots of known ids. Stable across JVMs and languages.
 *
 * <ul>
 *   <li>user: SplitMix64's finalizer of the user id, unsigned, modulo the slot count;</li>
 *   <li>conversation: FNV-1a 64 of the id's UTF-8 bytes, then the same finalizer and modulo.</li>
 * </ul>
 */
public final class SlotHash {

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private SlotHash() {
    }

    public static int ofUser(long userId, int slotCount) {
        return slot(mix(userId), slotCount);
    }

    public static int ofConversation(String convId, int slotCount) {
        long hash = FNV_OFFSET_BASIS;
        for (byte b : convId.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * FNV_PRIME;
        }
        return slot(mix(hash), slotCount);
    }

    private static int slot(long hash, int slotCount) {
        if (slotCount < 1) {
            throw new IllegalArgumentException("slotCount=" + slotCount + " must be >= 1");
        }
        return (int) Long.remainderUnsigned(hash, slotCount);
    }

    /** Steele, Lea and Flood's SplitMix64 finalizer (Vigna's constants): a cheap, well-mixed 64-bit bijection. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

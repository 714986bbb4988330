package io.synkit.protocol.slot;

import io.synkit.protocol.internal.SlotMapRecord;
import io.synkit.protocol.internal.StoreSetRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns users and conversations to storage SETs: each hashes to one of {@link #slotCount()}
 * slots, and each slot belongs to one SET. The map has a version; a store that no longer owns a
 * slot answers with its current version so callers refresh. Immutable.
 */
public final class SlotMap {

    public static final int SLOT_COUNT_DEFAULT = 4096;

    private final long version;
    private final List<StoreSet> sets;
    private final int[] setIndexBySlot;

    private SlotMap(long version, List<StoreSet> sets, int[] setIndexBySlot) {
        this.version = version;
        this.sets = List.copyOf(sets);
        this.setIndexBySlot = setIndexBySlot;
    }

    /** Spreads {@code slotCount} slots over the SETs in contiguous, nearly equal ranges. */
    public static SlotMap evenly(long version, int slotCount, List<StoreSet> sets) {
        if (slotCount < 1 || slotCount > (1 << 20)) {
            throw new IllegalArgumentException("slotCount=" + slotCount + " must be in [1, 1048576]");
        }
        if (sets.isEmpty() || sets.size() > slotCount) {
            throw new IllegalArgumentException("SET count " + sets.size() + " must be in [1, slotCount=" + slotCount + "]");
        }
        Map<String, StoreSet> unique = new LinkedHashMap<>();
        for (StoreSet set : sets) {
            if (unique.put(set.setId(), set) != null) {
                throw new IllegalArgumentException("SET id " + set.setId() + " is listed twice");
            }
        }
        int[] bySlot = new int[slotCount];
        for (int slot = 0; slot < slotCount; slot++) {
            bySlot[slot] = (int) ((long) slot * sets.size() / slotCount);
        }
        return new SlotMap(version, sets, bySlot);
    }

    /**
     * Parses {@code <set>=<host:port>[|<host:port>...][,<set>=...]}, e.g.
     * {@code s1=127.0.0.1:7301|127.0.0.1:7302|127.0.0.1:7303,s2=...}.
     */
    public static SlotMap parse(long version, int slotCount, String spec) {
        List<StoreSet> sets = new ArrayList<>();
        for (String item : spec.split(",")) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("SET entry '" + item + "' must be <set id>=<host:port>[|<host:port>...]");
            }
            sets.add(new StoreSet(item.substring(0, eq).trim(), Arrays.stream(item.substring(eq + 1).split("\\|")).map(String::trim).toList()));
        }
        return evenly(version, slotCount, sets);
    }

    /** The map as stored in the meta SET. */
    public SlotMapRecord toRecord() {
        SlotMapRecord.Builder record = SlotMapRecord.newBuilder().setVersion(version);
        for (StoreSet set : sets) {
            record.addSets(StoreSetRecord.newBuilder().setSetId(set.setId()).addAllReplicas(set.replicas()));
        }
        for (int setIndex : setIndexBySlot) {
            record.addSetIndexBySlot(setIndex);
        }
        return record.build();
    }

    /** A map read from the meta SET, checked whole: every slot names a listed SET, every SET is well-formed. */
    public static SlotMap fromRecord(SlotMapRecord record) {
        if (record.getVersion() < 1) {
            throw new IllegalArgumentException("slot map version " + record.getVersion() + " must be >= 1");
        }
        int slotCount = record.getSetIndexBySlotCount();
        if (slotCount < 1 || slotCount > (1 << 20)) {
            throw new IllegalArgumentException("slot map has " + slotCount + " slots; must be in [1, 1048576]");
        }
        List<StoreSet> sets = new ArrayList<>();
        Map<String, StoreSet> unique = new LinkedHashMap<>();
        for (StoreSetRecord set : record.getSetsList()) {
            StoreSet parsed = new StoreSet(set.getSetId(), set.getReplicasList());
            if (unique.put(parsed.setId(), parsed) != null) {
                throw new IllegalArgumentException("SET id " + parsed.setId() + " is listed twice");
            }
            sets.add(parsed);
        }
        int[] bySlot = new int[slotCount];
        for (int slot = 0; slot < slotCount; slot++) {
            int setIndex = record.getSetIndexBySlot(slot);
            if (setIndex >= sets.size()) {
                throw new IllegalArgumentException("slot " + slot + " names SET index " + setIndex + " but only " + sets.size() + " SETs are listed");
            }
            bySlot[slot] = setIndex;
        }
        return new SlotMap(record.getVersion(), sets, bySlot);
    }

    /** The next version of this map, with slots {@code fromSlot..toSlot} (inclusive) owned by {@code setId}. */
    public SlotMap reassign(int fromSlot, int toSlot, String setId) {
        if (fromSlot < 0 || toSlot < fromSlot || toSlot >= setIndexBySlot.length) {
            throw new IllegalArgumentException("slots " + fromSlot + "-" + toSlot + " are not within 0-" + (setIndexBySlot.length - 1));
        }
        int setIndex = -1;
        for (int i = 0; i < sets.size(); i++) {
            if (sets.get(i).setId().equals(setId)) {
                setIndex = i;
            }
        }
        if (setIndex < 0) {
            throw new IllegalArgumentException("no SET " + setId + " in slot map version " + version);
        }
        int[] bySlot = setIndexBySlot.clone();
        Arrays.fill(bySlot, fromSlot, toSlot + 1, setIndex);
        return new SlotMap(version + 1, sets, bySlot);
    }

    /** Contiguous slot ranges per SET, e.g. {@code s1: 0-1365}, for operators. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            StringBuilder ranges = new StringBuilder();
            int owned = 0;
            for (int slot = 0; slot < setIndexBySlot.length; slot++) {
                if (setIndexBySlot[slot] != i || (slot > 0 && setIndexBySlot[slot - 1] == i)) {
                    owned += setIndexBySlot[slot] == i ? 1 : 0;
                    continue;
                }
                int end = slot;
                while (end + 1 < setIndexBySlot.length && setIndexBySlot[end + 1] == i) {
                    end++;
                }
                owned++;
                ranges.append(ranges.length() == 0 ? "" : ",").append(slot == end ? Integer.toString(slot) : slot + "-" + end);
            }
            lines.add(sets.get(i).setId() + " slots=" + owned + " ranges=" + (ranges.length() == 0 ? "-" : ranges)
                    + " replicas=" + String.join(",", sets.get(i).replicas()));
        }
        return lines;
    }

    public long version() {
        return version;
    }

    public int slotCount() {
        return setIndexBySlot.length;
    }

    public List<StoreSet> sets() {
        return sets;
    }

    public int slotOfUser(long userId) {
        return SlotHash.ofUser(userId, setIndexBySlot.length);
    }

    public int slotOfConversation(String convId) {
        return SlotHash.ofConversation(convId, setIndexBySlot.length);
    }

    public StoreSet setOfSlot(int slot) {
        return sets.get(setIndexBySlot[slot]);
    }

    public StoreSet setOfUser(long userId) {
        return setOfSlot(slotOfUser(userId));
    }

    public StoreSet setOfConversation(String convId) {
        return setOfSlot(slotOfConversation(convId));
    }
}

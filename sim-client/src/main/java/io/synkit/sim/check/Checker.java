package io.synkit.sim.check;

import io.synkit.protocol.conv.ConversationId;
import io.synkit.sim.device.Delivery;
import io.synkit.sim.device.RunRecorder;
import io.synkit.sim.device.SendRecord;
import io.synkit.sim.device.SimDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Judges a finished run against what the system promises every device:
 * <ol>
 *   <li>every acknowledged message reaches every device of every conversation member (both users of
 *       a 1:1 conversation, every member of a group), once;</li>
 *   <li>each device sees its user's inbox seqs as 1, 2, 3, … with no gap, repeat or reversal;</li>
 *   <li>each device sees each conversation's conv_seqs as 1, 2, 3, …;</li>
 *   <li>every device agrees which message holds each (conversation, conv_seq);</li>
 *   <li>every sync page matches its digest.</li>
 * </ol>
 * Messages delivered but never acked are allowed (the ack was lost on the way) and counted apart.
 */
public final class Checker {

    /** Evidence lines kept per kind of violation. */
    static final int EVIDENCE_PER_KIND_MAX = 5;

    private final List<String> evidence = new ArrayList<>();
    private final Map<String, Integer> evidenceByKind = new HashMap<>();
    private final Function<String, List<Long>> membersOf;

    /** For runs with 1:1 conversations only. */
    public Checker() {
        this(conv -> ConversationId.parse(conv).members());
    }

    /** @param membersOf every member of a conversation, by id (the run knows the groups it created) */
    public Checker(Function<String, List<Long>> membersOf) {
        this.membersOf = membersOf;
    }

    public CheckResult check(List<SimDevice> devices, RunRecorder recorder) {
        Map<Long, List<SimDevice>> devicesByUser = new HashMap<>();
        for (SimDevice device : devices) {
            devicesByUser.computeIfAbsent(device.userId(), user -> new ArrayList<>()).add(device);
        }
        long duplicated = 0;
        long reordered = recorder.digestMismatches();
        if (reordered > 0) {
            note("digest", recorder.digestMismatches() + " sync pages failed their digest");
        }
        long delivered = 0;
        Map<String, String> messageAtConvSeq = new HashMap<>();
        Map<SimDevice, Set<String>> receivedByDevice = new HashMap<>();
        for (SimDevice device : devices) {
            Set<String> received = new HashSet<>();
            receivedByDevice.put(device, received);
            long expectedSeq = 1;
            Map<String, Long> nextConvSeq = new HashMap<>();
            for (Delivery delivery : device.deliveries()) {
                delivered++;
                if (!received.add(delivery.messageKey())) {
                    duplicated++;
                    note("duplicate", device + " got message " + delivery.messageKey() + " again at seq " + delivery.seq());
                }
                if (delivery.seq() != expectedSeq) {
                    reordered++;
                    note("seq", device + " expected seq " + expectedSeq + " got " + delivery.seq());
                }
                expectedSeq = delivery.seq() + 1;
                long expectedConvSeq = nextConvSeq.getOrDefault(delivery.convId(), 1L);
                if (delivery.convSeq() != expectedConvSeq) {
                    reordered++;
                    note("conv_seq", device + " conv " + delivery.convId() + " expected conv_seq " + expectedConvSeq + " got " + delivery.convSeq());
                }
                nextConvSeq.put(delivery.convId(), delivery.convSeq() + 1);
                String slot = delivery.convId() + "#" + delivery.convSeq();
                String previous = messageAtConvSeq.putIfAbsent(slot, delivery.messageKey());
                if (previous != null && !previous.equals(delivery.messageKey())) {
                    reordered++;
                    note("order", device + " has " + delivery.messageKey() + " at " + slot + " where another device has " + previous);
                }
            }
        }
        long sent = 0;
        long acked = 0;
        long failed = 0;
        long lost = 0;
        long unackedDelivered = 0;
        for (SendRecord send : recorder.sends()) {
            sent++;
            if (send.failure != null) {
                failed++;
            }
            List<Long> members = membersOf.apply(send.convId);
            boolean deliveredSomewhere = false;
            for (long member : members) {
                for (SimDevice device : devicesByUser.getOrDefault(member, List.of())) {
                    boolean has = receivedByDevice.get(device).contains(send.key());
                    deliveredSomewhere |= has;
                    if (send.acked() && !has) {
                        lost++;
                        note("lost", "acked message " + send.key() + " (" + send.convId + "#" + send.convSeq + ") missing on " + device);
                    }
                }
            }
            if (send.acked()) {
                acked++;
            } else if (deliveredSomewhere) {
                unackedDelivered++;
            }
        }
        return new CheckResult(sent, acked, failed, delivered, lost, duplicated, reordered, unackedDelivered, List.copyOf(evidence));
    }

    private void note(String kind, String line) {
        int count = evidenceByKind.merge(kind, 1, Integer::sum);
        if (count <= EVIDENCE_PER_KIND_MAX) {
            evidence.add(kind + ": " + line);
        }
    }
}

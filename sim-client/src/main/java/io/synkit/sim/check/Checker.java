package io.synkit.sim.check;

import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.ReadState;
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
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Judges a finished run against what the system promises every device:
 * <ol>
 *   <li>every acknowledged message reaches every device of every conversation member (both users of
 *       a 1:1 conversation; of a group, every user who was a member at the message), once;</li>
 *   <li>each device sees its user's inbox seqs as 1, 2, 3, … with no gap, repeat or reversal;</li>
 *   <li>each device sees each conversation's conv_seqs densely: 1, 2, 3, … for a 1:1 conversation;
 *       for a group, every entry of the user's stints (from the change that added the user, or 1,
 *       up to the change that removed the user) and nothing else — a device holding an entry
 *       from outside its user's stints ("foreign": a removed member receiving what was sent
 *       after the removal) fails the run;</li>
 *   <li>every device agrees which message holds each (conversation, conv_seq);</li>
 *   <li>every sync page matches its digest;</li>
 *   <li>all devices of a user derived the same read marks and unread counts, and they are the
 *       ones in the server's conversation list of that user.</li>
 * </ol>
 * Membership stints are rebuilt from the change entries the devices received (the creator, always
 * a member, receives every one) and each group's members at creation. Messages delivered but
 * never acked are allowed (the ack was lost on the way) and counted apart.
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
        return check(devices, recorder, Map.of());
    }

    /** @param listsByUser the server's conversation list per user, fetched after the run converged (users absent: not compared) */
    public CheckResult check(List<SimDevice> devices, RunRecorder recorder, Map<Long, List<ConversationSummary>> listsByUser) {
        Stints stints = Stints.of(devices, membersOf);
        Map<Long, List<SimDevice>> devicesByUser = new HashMap<>();
        for (SimDevice device : devices) {
            devicesByUser.computeIfAbsent(device.userId(), user -> new ArrayList<>()).add(device);
        }
        long duplicated = 0;
        long foreign = 0;
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
            for (long seq : device.opSeqs()) {
                if (seq != expectedSeq) {
                    reordered++;
                    note("seq", device + " expected seq " + expectedSeq + " got " + seq);
                }
                expectedSeq = seq + 1;
            }
            Map<String, Long> lastConvSeq = new HashMap<>();
            for (Delivery delivery : device.deliveries()) {
                delivered++;
                if (!stints.covers(delivery.convId(), device.userId(), delivery.convSeq())) {
                    foreign++;
                    note("foreign", device + " got " + delivery.convId() + "#" + delivery.convSeq() + " outside its user's membership");
                }
                if (!received.add(delivery.messageKey())) {
                    duplicated++;
                    note("duplicate", device + " got entry " + delivery.messageKey() + " again at seq " + delivery.seq());
                }
                long expectedConvSeq = stints.next(delivery.convId(), device.userId(), lastConvSeq.getOrDefault(delivery.convId(), 0L));
                if (delivery.convSeq() != expectedConvSeq) {
                    reordered++;
                    note("conv_seq", device + " conv " + delivery.convId() + " expected conv_seq " + expectedConvSeq + " got " + delivery.convSeq());
                }
                lastConvSeq.put(delivery.convId(), delivery.convSeq());
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
            List<Long> members = send.acked() ? stints.membersAt(send.convId, send.convSeq) : membersOf.apply(send.convId);
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
        long unreadMismatches = unreadMismatches(devicesByUser, listsByUser);
        return new CheckResult(sent, acked, failed, delivered, lost, duplicated, reordered, unackedDelivered, List.copyOf(evidence), foreign,
                unreadMismatches);
    }

    /** Users whose devices disagree on a read mark or unread count, with each other or with the server's list. */
    private long unreadMismatches(Map<Long, List<SimDevice>> devicesByUser, Map<Long, List<ConversationSummary>> listsByUser) {
        long mismatches = 0;
        for (Map.Entry<Long, List<SimDevice>> user : devicesByUser.entrySet()) {
            Map<String, String> first = readView(user.getValue().get(0).readState());
            boolean agree = user.getValue().stream().allMatch(device -> readView(device.readState()).equals(first));
            List<ConversationSummary> listed = listsByUser.get(user.getKey());
            Map<String, String> server = new TreeMap<>();
            if (listed != null) {
                listed.forEach(summary -> server.put(summary.getConvId(), summary.getReadUpToConvSeq() + "/" + summary.getUnreadCount()));
            }
            if (!agree || (listed != null && !server.equals(first))) {
                mismatches++;
                note("unread", "user " + user.getKey() + " devices " + user.getValue().stream().map(d -> readView(d.readState())).toList()
                        + (listed == null ? "" : " server " + server));
            }
        }
        return mismatches;
    }

    private static Map<String, String> readView(ReadState state) {
        Map<String, String> view = new TreeMap<>();
        state.conversations().forEach((conv, c) -> view.put(conv, c.readUpToConvSeq() + "/" + c.unreadCount()));
        return view;
    }

    private void note(String kind, String line) {
        int count = evidenceByKind.merge(kind, 1, Integer::sum);
        if (count <= EVIDENCE_PER_KIND_MAX) {
            evidence.add(kind + ": " + line);
        }
    }
}

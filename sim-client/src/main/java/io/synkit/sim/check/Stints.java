package io.synkit.sim.check;

import io.synkit.protocol.client.GroupChange;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.sim.device.Delivery;
import io.synkit.sim.device.SimDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Who was a member of which group when, rebuilt for the checker from the run's evidence: each
 * group's members at creation, and the membership changes the devices received (all devices agree
 * on each (conversation, conv_seq), which the checker verifies apart). A stint runs from the change
 * that added the user (or 1) up to and including the change that removed the user or in which the
 * user left. A 1:1 conversation's two users are members throughout.
 */
final class Stints {

    private static final long OPEN = Long.MAX_VALUE;

    private final Function<String, List<Long>> initialMembers;
    /** Per group, per user: [from, to] pairs in order. */
    private final Map<String, Map<Long, List<long[]>>> byGroup = new HashMap<>();

    private Stints(Function<String, List<Long>> initialMembers) {
        this.initialMembers = initialMembers;
    }

    static Stints of(List<SimDevice> devices, Function<String, List<Long>> initialMembers) {
        Map<String, TreeMap<Long, GroupChange>> changes = new HashMap<>();
        for (SimDevice device : devices) {
            for (Delivery delivery : device.deliveries()) {
                if (delivery.change() != null) {
                    changes.computeIfAbsent(delivery.convId(), conv -> new TreeMap<>()).putIfAbsent(delivery.convSeq(), delivery.change());
                }
            }
        }
        Stints stints = new Stints(initialMembers);
        changes.forEach((conv, inOrder) -> {
            Map<Long, List<long[]>> users = stints.group(conv);
            inOrder.forEach((convSeq, change) -> {
                for (long user : change.getUserIdsList()) {
                    List<long[]> of = users.computeIfAbsent(user, u -> new ArrayList<>());
                    if (change.getKind() == GroupChangeKind.MEMBERS_ADDED) {
                        of.add(new long[] {convSeq, OPEN});
                    } else if (!of.isEmpty()) {
                        of.get(of.size() - 1)[1] = convSeq;
                    }
                }
            });
        });
        return stints;
    }

    private Map<Long, List<long[]>> group(String conv) {
        return byGroup.computeIfAbsent(conv, c -> {
            Map<Long, List<long[]>> users = new HashMap<>();
            for (long member : initialMembers.apply(c)) {
                users.computeIfAbsent(member, u -> new ArrayList<>()).add(new long[] {1, OPEN});
            }
            return users;
        });
    }

    boolean covers(String conv, long user, long convSeq) {
        if (!ConversationId.parse(conv).isGroup()) {
            return ConversationId.parse(conv).hasMember(user);
        }
        for (long[] stint : group(conv).getOrDefault(user, List.of())) {
            if (convSeq >= stint[0] && convSeq <= stint[1]) {
                return true;
            }
        }
        return false;
    }

    /** The conv_seq the user's device must receive after {@code last} (0: none yet): the next one covered by a stint. */
    long next(String conv, long user, long last) {
        if (!ConversationId.parse(conv).isGroup()) {
            return last + 1;
        }
        for (long[] stint : group(conv).getOrDefault(user, List.of())) {
            if (last + 1 <= stint[1]) {
                return Math.max(last + 1, stint[0]);
            }
        }
        return last + 1;
    }

    /** The users a message at {@code convSeq} must reach. */
    List<Long> membersAt(String conv, long convSeq) {
        if (!ConversationId.parse(conv).isGroup()) {
            return ConversationId.parse(conv).members();
        }
        List<Long> members = new ArrayList<>();
        group(conv).forEach((user, stints) -> {
            if (covers(conv, user, convSeq)) {
                members.add(user);
            }
        });
        return members;
    }
}

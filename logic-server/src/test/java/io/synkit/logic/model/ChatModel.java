package io.synkit.logic.model;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.protocol.conv.ConversationId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference for {@link ChatModelTest}: chat semantics as plain lists, written from
 * docs/protocol.md §15 and not from the code it checks. One group {@value #GROUP} created by user
 * 1 with users 1-3, and 1:1 conversations. Each conversation is a list of entries; a user receives
 * the entries covered by any of their stints; marks and unread counts follow the read-state rules.
 *
 * <p>The group is read from its log (§15.5) from the change that takes it past {@value
 * #WRITE_DIFFUSION_MEMBERS_MAX} members on, and stays so. What a device holds of the log then
 * depends on when it synced: a stint's log entries reach a device only while the stint is the
 * user's latest, so a member removed and added again keeps of the earlier stint's log only what the
 * device had synced before the re-add (the rule of §15.5, modelled, not flagged), and those entries
 * no longer count as unread. {@link #readState(long)} is the user's whole view (what the server's
 * conversation list and read marks answer), {@link #readState(long, String)} one device's.
 */
final class ChatModel {

    static final String GROUP = "g:1:team";
    static final long CREATOR = 1;
    /** Small, so that a few adds take the group past it. */
    static final int WRITE_DIFFUSION_MEMBERS_MAX = 3;
    private static final long HELD_ALL = Long.MAX_VALUE;

    /** One conversation entry: a message (kind null) or a membership change of {@code user}. */
    record Entry(long convSeq, long sender, GroupChangeKind kind, long user) {

        String describe() {
            return convSeq + ":" + sender + (kind == null ? "" : ":" + kind + ":" + user);
        }
    }

    /** A stint: from joined (inclusive) up to left (inclusive; 0 = not yet). */
    private static final class Stint {
        final long joined;
        long left;

        Stint(long joined) {
            this.joined = joined;
        }

        boolean covers(long convSeq) {
            return convSeq >= joined && (left == 0 || convSeq <= left);
        }
    }

    private final Map<String, List<Entry>> logs = new TreeMap<>();
    private final Map<Long, List<Stint>> stints = new HashMap<>();
    private final TreeSet<Long> current = new TreeSet<>(List.of(1L, 2L, 3L));
    private final Map<String, Long> explicitMarks = new HashMap<>();
    /** conv_seq from which the group is read from its log; 0 while written into inboxes. */
    private long readDiffusionFrom;
    /** By device ("user/index"): by stint index, the newest group entry the device synced while that stint was the user's latest. */
    private final Map<String, Map<Integer, Long>> devices = new HashMap<>();

    ChatModel() {
        for (long user : current) {
            stints.computeIfAbsent(user, u -> new ArrayList<>()).add(new Stint(0));
        }
    }

    private List<Entry> log(String conv) {
        return logs.computeIfAbsent(conv, c -> new ArrayList<>());
    }

    private long head(String conv) {
        return log(conv).size();
    }

    boolean isMember(long user, String conv) {
        return conv.equals(GROUP) ? current.contains(user) : ConversationId.parse(conv).hasMember(user);
    }

    /** The outcome of a send: null when it commits (the entry is added), else the refusal's code. */
    ErrorCode send(long user, String conv) {
        if (!isMember(user, conv)) {
            return ErrorCode.FORBIDDEN;
        }
        log(conv).add(new Entry(head(conv) + 1, user, null, 0));
        return null;
    }

    /** The outcome of a membership change (one user; the actor for a leave): null when it commits. */
    ErrorCode change(long actor, GroupChangeKind kind, long user) {
        if (!current.contains(actor)) {
            return ErrorCode.FORBIDDEN;
        }
        long convSeq = head(GROUP) + 1;
        switch (kind) {
            case MEMBERS_ADDED -> {
                if (actor != CREATOR) {
                    return ErrorCode.FORBIDDEN;
                }
                if (current.contains(user)) {
                    return ErrorCode.INVALID_REQUEST;
                }
                current.add(user);
                stints.computeIfAbsent(user, u -> new ArrayList<>()).add(new Stint(convSeq));
                if (readDiffusionFrom == 0 && current.size() > WRITE_DIFFUSION_MEMBERS_MAX) {
                    readDiffusionFrom = convSeq;
                }
            }
            case MEMBERS_REMOVED, MEMBER_LEFT -> {
                if (kind == GroupChangeKind.MEMBERS_REMOVED && actor != CREATOR) {
                    return ErrorCode.FORBIDDEN;
                }
                if (!current.contains(user) || user == CREATOR) {
                    return ErrorCode.INVALID_REQUEST;
                }
                current.remove(user);
                List<Stint> of = stints.get(user);
                of.get(of.size() - 1).left = convSeq;
            }
            default -> throw new IllegalArgumentException("kind " + kind);
        }
        log(GROUP).add(new Entry(convSeq, actor, kind, user));
        return null;
    }

    /** The entries of {@code conv} the user is entitled to (every stint's, the log's up to its end), in conv_seq order. */
    List<Entry> entriesOf(long user, String conv) {
        return held(user, conv, null, false);
    }

    /** The entries of {@code conv} a device holds after syncing to the end, in conv_seq order. */
    List<Entry> entriesOf(long user, String device, String conv) {
        return held(user, conv, devices.getOrDefault(device, Map.of()), false);
    }

    /** Stints started after the switch by users who had read the log in an earlier stint. */
    long restartedStreams() {
        return stints.values().stream().mapToLong(of -> of.stream().skip(1).filter(stint -> readDiffusionFrom > 0 && stint.joined >= readDiffusionFrom)
                .filter(stint -> of.get(of.indexOf(stint) - 1).left >= readDiffusionFrom).count()).sum();
    }

    boolean isReadDiffused() {
        return readDiffusionFrom > 0;
    }

    /**
     * The entries of {@code conv} held with {@code heldTo} (by stint index; null: all), or with
     * {@code counting} only those that count for unread: not those of an earlier stint's log.
     */
    private List<Entry> held(long user, String conv, Map<Integer, Long> heldTo, boolean counting) {
        if (!conv.equals(GROUP)) {
            return ConversationId.parse(conv).hasMember(user) ? List.copyOf(log(conv)) : List.of();
        }
        List<Stint> of = stints.getOrDefault(user, List.of());
        List<Entry> held = new ArrayList<>();
        for (Entry entry : log(conv)) {
            for (int i = 0; i < of.size(); i++) {
                if (!of.get(i).covers(entry.convSeq())) {
                    continue;
                }
                boolean fromLog = readDiffusionFrom > 0 && entry.convSeq() >= readDiffusionFrom;
                boolean reached = !fromLog || heldTo == null || entry.convSeq() <= heldTo.getOrDefault(i, 0L);
                if (reached && !(counting && fromLog && i < of.size() - 1)) {
                    held.add(entry);
                    break;
                }
            }
        }
        return held;
    }

    /** A device that synced to the end now: it holds the log up to the head in the user's latest stint. */
    void synced(long user, String device) {
        Map<Integer, Long> heldTo = devices.computeIfAbsent(device, d -> new HashMap<>());
        List<Stint> of = stints.get(user);
        if (of != null) {
            heldTo.put(of.size() - 1, head(GROUP));
        }
    }

    /** A device that starts from the conversation list: it holds what the user is entitled to now (and syncs on). */
    void startedFromList(long user, String device) {
        Map<Integer, Long> heldTo = new HashMap<>();
        List<Stint> of = stints.getOrDefault(user, List.of());
        for (int i = 0; i < of.size(); i++) {
            heldTo.put(i, HELD_ALL);
        }
        devices.put(device, heldTo);
    }

    /** Every conversation of which the device holds an entry. */
    List<String> conversationsOf(long user, String device) {
        return logs.keySet().stream().filter(conv -> !entriesOf(user, device, conv).isEmpty()).toList();
    }

    long newest(long user, String conv) {
        List<Entry> entries = entriesOf(user, conv);
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).convSeq();
    }

    long mark(long user, String conv) {
        return mark(user, conv, null);
    }

    long unread(long user, String conv) {
        return unread(user, conv, null);
    }

    /** The mark: the explicit one, moved by the user's own entries the view holds (inbox or log, any stint). */
    private long mark(long user, String conv, Map<Integer, Long> heldTo) {
        long own = held(user, conv, heldTo, false).stream().filter(entry -> entry.sender() == user).mapToLong(Entry::convSeq).max().orElse(0);
        return Math.max(own, explicitMarks.getOrDefault(user + "/" + conv, 0L));
    }

    /** Held entries above the mark, an earlier stint's log entries not counted (§15.5). */
    private long unread(long user, String conv, Map<Integer, Long> heldTo) {
        long mark = mark(user, conv, heldTo);
        return held(user, conv, heldTo, true).stream().filter(entry -> entry.convSeq() > mark).count();
    }

    /** The outcome of a read mark: null when valid (the mark moves if it is higher), else the refusal's code. */
    ErrorCode markRead(long user, String conv, long upTo) {
        if (upTo < 1 || upTo > newest(user, conv)) {
            return ErrorCode.INVALID_REQUEST;
        }
        explicitMarks.merge(user + "/" + conv, upTo, Math::max);
        return null;
    }

    /** "mark/unread" by conversation, for every conversation the user has an entry of: the user's whole view. */
    Map<String, String> readState(long user) {
        return readState(user, (Map<Integer, Long>) null);
    }

    /** "mark/unread" by conversation as a device that synced to the end derives it. */
    Map<String, String> readState(long user, String device) {
        return readState(user, devices.getOrDefault(device, Map.of()));
    }

    private Map<String, String> readState(long user, Map<Integer, Long> heldTo) {
        Map<String, String> view = new TreeMap<>();
        for (String conv : logs.keySet()) {
            if (!held(user, conv, heldTo, false).isEmpty()) {
                view.put(conv, mark(user, conv, heldTo) + "/" + unread(user, conv, heldTo));
            }
        }
        return view;
    }

    /** The conv_seqs of a history page, newest first; null when the user may not read the conversation. */
    List<Long> history(long user, String conv, long before, int limit, int entriesMax) {
        long from;
        long to;
        if (conv.equals(GROUP)) {
            List<Stint> of = stints.get(user);
            if (of == null) {
                return null;
            }
            Stint latest = of.get(of.size() - 1);
            from = Math.max(1, latest.joined);
            to = latest.left == 0 ? head(conv) : latest.left;
        } else {
            if (!ConversationId.parse(conv).hasMember(user)) {
                return null;
            }
            from = 1;
            to = head(conv);
        }
        long start = before == 0 ? to + 1 : Math.min(before, to + 1);
        int size = limit == 0 ? entriesMax : Math.min(limit, entriesMax);
        List<Long> page = new ArrayList<>();
        for (long convSeq = start - 1; convSeq >= from && page.size() < size; convSeq--) {
            page.add(convSeq);
        }
        return page;
    }
}

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
 */
final class ChatModel {

    static final String GROUP = "g:1:team";
    static final long CREATOR = 1;

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

    /** The entries of {@code conv} the user has received, in conv_seq order. */
    List<Entry> entriesOf(long user, String conv) {
        if (!conv.equals(GROUP)) {
            return ConversationId.parse(conv).hasMember(user) ? List.copyOf(log(conv)) : List.of();
        }
        List<Stint> of = stints.getOrDefault(user, List.of());
        return log(conv).stream().filter(entry -> of.stream().anyMatch(stint -> stint.covers(entry.convSeq()))).toList();
    }

    /** Every conversation the user has an entry of. */
    List<String> conversationsOf(long user) {
        return logs.keySet().stream().filter(conv -> !entriesOf(user, conv).isEmpty()).toList();
    }

    long newest(long user, String conv) {
        List<Entry> entries = entriesOf(user, conv);
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).convSeq();
    }

    long mark(long user, String conv) {
        long own = entriesOf(user, conv).stream().filter(entry -> entry.sender() == user).mapToLong(Entry::convSeq).max().orElse(0);
        return Math.max(own, explicitMarks.getOrDefault(user + "/" + conv, 0L));
    }

    long unread(long user, String conv) {
        long mark = mark(user, conv);
        return entriesOf(user, conv).stream().filter(entry -> entry.convSeq() > mark).count();
    }

    /** The outcome of a read mark: null when valid (the mark moves if it is higher), else the refusal's code. */
    ErrorCode markRead(long user, String conv, long upTo) {
        if (upTo < 1 || upTo > newest(user, conv)) {
            return ErrorCode.INVALID_REQUEST;
        }
        explicitMarks.merge(user + "/" + conv, upTo, Math::max);
        return null;
    }

    /** "mark/unread" by conversation, for every conversation the user has an entry of. */
    Map<String, String> readState(long user) {
        Map<String, String> view = new TreeMap<>();
        for (String conv : conversationsOf(user)) {
            view.put(conv, mark(user, conv) + "/" + unread(user, conv));
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

package io.synkit.protocol.conv;

import io.synkit.protocol.client.ConvStreamOp;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.ReadMarkOp;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's read state as a client derives it from the inbox ops, by the rules of
 * docs/protocol.md ("Read state"), so that every device of the user, applying the same ops in seq
 * order, holds the same read marks and unread counts as the server's conversation list:
 *
 * <ul>
 *   <li>an entry (message or membership change) the user made moves the mark to it, unread 0;</li>
 *   <li>an entry of anyone else adds one unread;</li>
 *   <li>a read mark op sets the mark and takes the unread count it carries;</li>
 *   <li>ops of kinds this code does not know change nothing;</li>
 *   <li>a conversation read from its log (a large group, after its {@code ConvStreamOp}) counts
 *       the inbox's entries before the stream above the mark (what its read mark ops carry) plus
 *       the log's entries the device holds above the mark ({@link #streamUnread}); the order in
 *       which log entries and inbox ops arrive does not matter.</li>
 * </ul>
 *
 * A device that starts from a {@link ConversationList} (instead of from seq 1) takes its
 * summaries and applies the ops after the list's key. Not thread-safe.
 */
public final class ReadState {

    /** One conversation: mark, unread count, inbox seq of the newest entry. */
    public record Conversation(long readUpToConvSeq, long unreadCount, long lastSeq) {
    }

    /** A conversation read from its log: where the stream starts, how far the device holds it, the inbox's part of the count. */
    private record Streamed(long fromConvSeq, long heldConvSeq, long inboxUnreadCount) {
    }

    private final long userId;
    private final Map<String, Conversation> conversations = new TreeMap<>();
    private final Map<String, Streamed> streamed = new TreeMap<>();

    public ReadState(long userId) {
        this.userId = userId;
    }

    /** Starts from a conversation list page (a device that did not sync from seq 1). */
    public void start(ConversationList list) {
        for (ConversationSummary summary : list.getConversationsList()) {
            conversations.put(summary.getConvId(), new Conversation(summary.getReadUpToConvSeq(), summary.getUnreadCount(), summary.getLastSeq()));
        }
        for (ConversationSummary summary : list.getStreamedConversationsList()) {
            long from = summary.getStreamFromConvSeq();
            long held = summary.hasLastEntry() ? summary.getLastEntry().getConvSeq() : from - 1;
            long logPart = Math.max(0, held - Math.max(summary.getReadUpToConvSeq(), from - 1));
            streamed.put(summary.getConvId(), new Streamed(from, held, summary.getUnreadCount() - logPart));
            conversations.put(summary.getConvId(), new Conversation(summary.getReadUpToConvSeq(), summary.getUnreadCount(), summary.getLastSeq()));
        }
    }

    /**
     * Unread entries of a conversation read from its log (protocol.md §15.5): the inbox's entries
     * before the stream above the mark ({@code inboxUnread}; none once the user's own entry in the
     * log moved the mark past them) plus the log's entries {@code from..to} above the mark, the
     * mark being the higher of the read mark and the user's own newest entry.
     *
     * <p>An own entry is in the log if it is at or after the group's switch to read diffusion
     * ({@code readDiffusionFromConvSeq}), not only inside the current stream: the user's leave
     * in an earlier stint's log zeroed the inbox part on every device, and a re-add (a new stream
     * further on) does not bring those entries back. 0 (a store that does not send the switch)
     * falls back to the current stream's start.
     */
    public static long streamUnread(long readUpToConvSeq, long inboxUnread, long ownLastConvSeq, long readDiffusionFromConvSeq,
            long fromConvSeq, long toConvSeq) {
        long mark = Math.max(readUpToConvSeq, ownLastConvSeq);
        long logFrom = readDiffusionFromConvSeq > 0 ? readDiffusionFromConvSeq : fromConvSeq;
        long before = ownLastConvSeq >= logFrom ? 0 : inboxUnread;
        return before + Math.max(0, toConvSeq - Math.max(mark, fromConvSeq - 1));
    }

    /** An entry of a conversation read from its log (a sync's conv_entries), after its ConvStreamOp. */
    public void applyStreamEntry(MessageOp entry) {
        Streamed stream = streamed.get(entry.getConvId());
        if (stream == null || entry.getConvSeq() < stream.fromConvSeq()) {
            throw new IllegalStateException("log entry " + entry.getConvId() + "#" + entry.getConvSeq() + " outside a stream the inbox started: " + stream);
        }
        Conversation now = conversations.get(entry.getConvId());
        long mark = now.readUpToConvSeq();
        long inboxUnread = stream.inboxUnreadCount();
        if (entry.getSenderUserId() == userId && entry.getConvSeq() > mark) {
            mark = entry.getConvSeq();
            inboxUnread = 0;
        }
        put(entry.getConvId(), new Streamed(stream.fromConvSeq(), Math.max(stream.heldConvSeq(), entry.getConvSeq()), inboxUnread), mark, now.lastSeq());
    }

    private void put(String convId, Streamed stream, long mark, long lastSeq) {
        streamed.put(convId, stream);
        long logPart = Math.max(0, stream.heldConvSeq() - Math.max(mark, stream.fromConvSeq() - 1));
        conversations.put(convId, new Conversation(mark, stream.inboxUnreadCount() + logPart, lastSeq));
    }

    private void streamStarted(long seq, ConvStreamOp op) {
        Conversation now = conversations.getOrDefault(op.getConvId(), new Conversation(0, 0, 0));
        Streamed earlier = streamed.get(op.getConvId());
        // The inbox's part stays; an earlier stream's entries (a stint before a removal) no longer count.
        long inboxUnread = earlier == null ? now.unreadCount() : earlier.inboxUnreadCount();
        put(op.getConvId(), new Streamed(op.getFromConvSeq(), op.getFromConvSeq() - 1, inboxUnread), now.readUpToConvSeq(), seq);
    }

    public void apply(Op op) {
        switch (op.getKindCase()) {
            case MESSAGE -> entry(op.getSeq(), op.getMessage());
            case GROUP_CHANGE -> entry(op.getSeq(), op.getGroupChange());
            case READ_MARK -> mark(op.getReadMark());
            case CONV_STREAM -> streamStarted(op.getSeq(), op.getConvStream());
            default -> { } // a kind newer than this code: it counts for seqs and digests, not here
        }
    }

    private void entry(long seq, MessageOp entry) {
        Conversation now = conversations.getOrDefault(entry.getConvId(), new Conversation(0, 0, 0));
        conversations.put(entry.getConvId(), entry.getSenderUserId() == userId ? new Conversation(entry.getConvSeq(), 0, seq)
                : new Conversation(now.readUpToConvSeq(), now.unreadCount() + 1, seq));
    }

    private void mark(ReadMarkOp mark) {
        Conversation now = conversations.getOrDefault(mark.getConvId(), new Conversation(0, 0, 0));
        Streamed stream = streamed.get(mark.getConvId());
        if (stream != null) {
            if (mark.getReadUpToConvSeq() > now.readUpToConvSeq()) {
                put(mark.getConvId(), new Streamed(stream.fromConvSeq(), stream.heldConvSeq(), mark.getUnreadCount()), mark.getReadUpToConvSeq(), now.lastSeq());
            }
            return;
        }
        if (mark.getReadUpToConvSeq() > now.readUpToConvSeq()) {
            conversations.put(mark.getConvId(), new Conversation(mark.getReadUpToConvSeq(), mark.getUnreadCount(), now.lastSeq()));
        }
    }

    /** Every conversation the user has an entry of, by id. */
    public Map<String, Conversation> conversations() {
        return Map.copyOf(conversations);
    }

    public long unreadTotal() {
        return conversations.values().stream().mapToLong(Conversation::unreadCount).sum();
    }
}

package io.synkit.protocol.conv;

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
 *   <li>ops of kinds this code does not know change nothing.</li>
 * </ul>
 *
 * A device that starts from a {@link ConversationList} (instead of from seq 1) takes its
 * summaries and applies the ops after the list's key. Not thread-safe.
 */
public final class ReadState {

    /** One conversation: mark, unread count, inbox seq of the newest entry. */
    public record Conversation(long readUpToConvSeq, long unreadCount, long lastSeq) {
    }

    private final long userId;
    private final Map<String, Conversation> conversations = new TreeMap<>();

    public ReadState(long userId) {
        this.userId = userId;
    }

    /** Starts from a conversation list page (a device that did not sync from seq 1). */
    public void start(ConversationList list) {
        for (ConversationSummary summary : list.getConversationsList()) {
            conversations.put(summary.getConvId(), new Conversation(summary.getReadUpToConvSeq(), summary.getUnreadCount(), summary.getLastSeq()));
        }
    }

    public void apply(Op op) {
        switch (op.getKindCase()) {
            case MESSAGE -> entry(op.getSeq(), op.getMessage());
            case GROUP_CHANGE -> entry(op.getSeq(), op.getGroupChange());
            case READ_MARK -> mark(op.getReadMark());
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

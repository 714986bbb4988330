package io.synkit.store.write;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writer's memory of the inboxes it appended to: each user's inbox head {@code seq}, and
 * for each (user, conversation) the highest {@code conv_seq} the inbox holds (its cursor), as the
 * chain of batches being built leaves them. An {@code AppendInbox} to a remembered inbox and
 * conversation reads neither the head key nor the cursor key; both are still written with every
 * entry, so what is durable, replicated and read is the same as without this memory, and a
 * forgotten one is read as before. Every message costs at least two inbox appends (the sender's
 * and the recipient's), a group message one per member.
 *
 * <p>Part of {@link WriterMemory}, which says when it is forgotten. Single-threaded: the writer
 * thread's own.
 */
final class InboxHeads {

    /** Inboxes and (inbox, conversation) cursors remembered at most, each: ~100-150 bytes an entry. */
    static final int ENTRIES_MAX = 65_536;

    /** One user's cursor in one conversation. */
    private record CursorKey(long userId, String convId) {
    }

    private final Map<Long, Long> heads = lru();
    private final Map<CursorKey, Long> cursors = lru();

    /** The inbox's head seq as the chain leaves it, or -1 when not remembered. */
    long head(long userId) {
        Long seq = heads.get(userId);
        return seq == null ? -1 : seq;
    }

    /** The highest conv_seq of the conversation the inbox holds as the chain leaves it, or -1 when not remembered. */
    long cursor(long userId, String convId) {
        Long convSeq = cursors.get(new CursorKey(userId, convId));
        return convSeq == null ? -1 : convSeq;
    }

    /** Called with every inbox entry appended, after its writes went into the batch. */
    void appended(long userId, String convId, long convSeq, long seq) {
        heads.put(userId, seq);
        cursors.put(new CursorKey(userId, convId), convSeq);
    }

    /** Called when an op that is not a conversation entry (a read mark) took the inbox's next seq. */
    void headMoved(long userId, long seq) {
        heads.put(userId, seq);
    }

    /** Called when a conversation's cursor moved without an entry (a new stint starts past it). */
    void cursorMoved(long userId, String convId, long convSeq) {
        cursors.put(new CursorKey(userId, convId), convSeq);
    }

    /** Forgets everything: the state the chain built on is not what the store will hold. */
    void clear() {
        heads.clear();
        cursors.clear();
    }

    private static <K> Map<K, Long> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Long> eldest) {
                return size() > ENTRIES_MAX;
            }
        };
    }
}

package io.synkit.store.write;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writer's memory of the conversations it appended to: each one's head {@code conv_seq} and
 * that entry's {@code server_time_ms}, as the chain of batches being built leaves them. An
 * {@code AppendConv} to a remembered conversation reads neither the head key nor the previous
 * entry (two RocksDB reads, one of them a whole entry parsed only for its time): the writer's
 * two costliest reads per op after the dedup check. The head key is still written with every
 * entry, so what is durable, what backups hold and what readers and older versions read is the
 * same as without this memory; a forgotten conversation is read as before.
 *
 * <p>Part of {@link WriterMemory}, which says when it is forgotten. Single-threaded: the writer
 * thread's own.
 */
final class ConversationHeads {

    /**
     * Conversations remembered at most (least recently appended to forgotten first): about
     * 150 bytes each on the heap, so 10 MiB at most for the active conversations of a SET.
     */
    static final int CONVERSATIONS_MAX = 65_536;

    /** A conversation's newest entry. */
    record Head(long convSeq, long serverTimeMs) {
    }

    private final int conversationsMax;
    private final Map<String, Head> heads;

    ConversationHeads() {
        this(CONVERSATIONS_MAX);
    }

    ConversationHeads(int conversationsMax) {
        if (conversationsMax < 0) {
            throw new IllegalArgumentException("conversationsMax=" + conversationsMax + " must be >= 0");
        }
        this.conversationsMax = conversationsMax;
        this.heads = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Head> eldest) {
                return size() > ConversationHeads.this.conversationsMax;
            }
        };
    }

    /** The conversation's head as the chain leaves it, or null when not remembered. */
    Head get(String convId) {
        return heads.get(convId);
    }

    /** Called with every entry appended, after its writes went into the batch. */
    void appended(String convId, long convSeq, long serverTimeMs) {
        if (conversationsMax > 0) {
            heads.put(convId, new Head(convSeq, serverTimeMs));
        }
    }

    /** Forgets everything: the state the chain built on is not what the store will hold. */
    void clear() {
        heads.clear();
    }

    int size() {
        return heads.size();
    }
}

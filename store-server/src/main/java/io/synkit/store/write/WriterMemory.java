package io.synkit.store.write;

/**
 * What a primary's writer remembers of the state its chain of batches leaves, so that the write
 * commands on every message's path read RocksDB less: conversation heads ({@link ConversationHeads})
 * and inbox heads and cursors ({@link InboxHeads}). Everything in it is also written to the store
 * with each entry as before; it only spares reads. Every command that writes one of those keys
 * tells it what it wrote: AppendConv (conversation heads), AppendInbox (inbox heads and cursors),
 * {@link ReadMarks} (a read mark takes the inbox's next seq) and {@link Memberships} (a new stint
 * moves the cursor); a writer of those keys that did not would let the next entry reuse a seq.
 *
 * <p>It must equal what the chain's writes leave, committed or not, so it is valid only while
 * nothing but this writer changes the store: its owner {@link #forget}s everything when a chain
 * breaks (the lost batches are counted in it) and when a chain starts in another epoch (other
 * primaries may have written since). Single-threaded: the writer thread's own.
 */
public final class WriterMemory {

    final ConversationHeads conversations = new ConversationHeads();
    final InboxHeads inboxes = new InboxHeads();

    /** Forgets everything: the state the chain built on is not what the store will hold. */
    void forget() {
        conversations.clear();
        inboxes.clear();
    }
}

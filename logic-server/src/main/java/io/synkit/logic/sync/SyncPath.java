package io.synkit.logic.sync;

import io.synkit.logic.store.StoreCalls;
import io.synkit.logic.store.StreamReads;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.sync.ConvPositions;
import java.util.ArrayList;
import java.util.List;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.SyncRequest;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.ReadInboxRequest;
import io.synkit.protocol.internal.ReadInboxResponse;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.protocol.sync.SyncKeyException;
import io.synkit.protocol.sync.SyncPosition;
import java.util.concurrent.CompletableFuture;

/**
 * The sync path (DESIGN.md, Read path): the caller's own inbox only, ops after the key's seq, up
 * to a limit, with the new key, has_more and the page's digest; then the entries of the caller's
 * large groups after the key's positions in their logs (read diffusion). Stale and invalid keys
 * are errors, never silently served.
 */
public final class SyncPath {

    /** Bytes of ops and log entries one answer holds at most (a page always fits a client frame). */
    static final int PAGE_BYTES_MAX = 512 * 1024;

    private final StoreCalls store;
    private final StreamReads streams;
    private final int syncOpsDefault;
    private final int syncOpsMax;

    public SyncPath(StoreCalls store, int syncOpsDefault, int syncOpsMax) {
        if (syncOpsDefault < 1 || syncOpsDefault > syncOpsMax) {
            throw new IllegalArgumentException("syncOpsDefault=" + syncOpsDefault + " must be in [1, syncOpsMax=" + syncOpsMax + "]");
        }
        this.store = store;
        this.streams = new StreamReads(store);
        this.syncOpsDefault = syncOpsDefault;
        this.syncOpsMax = syncOpsMax;
    }

    public CompletableFuture<SyncResponse> sync(Caller caller, SyncRequest request) {
        SyncPosition position = parse(request);
        ConvPositions streams = parseStreams(request);
        long requested = Integer.toUnsignedLong(request.getLimit());
        int limit = requested == 0 ? syncOpsDefault : (int) Math.min(requested, syncOpsMax);
        StoreRequest read = StoreRequest.newBuilder().setReadInbox(ReadInboxRequest.newBuilder()
                .setUserId(caller.getUserId()).setAfterSeq(position.inboxSeq()).setLimit(limit)).build();
        return store.forUser(caller.getUserId(), read)
                .thenCompose(response -> withStreams(caller.getUserId(), streams, limit, page(position, response.getReadInbox())));
    }

    private static SyncPosition parse(SyncRequest request) {
        try {
            return SyncPosition.fromKey(request.getKey());
        } catch (SyncKeyException e) {
            throw new RpcException(e.code(), e.getMessage());
        }
    }

    private static ConvPositions parseStreams(SyncRequest request) {
        try {
            return ConvPositions.fromKey(request.getKey());
        } catch (SyncKeyException e) {
            throw new RpcException(e.code(), e.getMessage());
        }
    }

    private static SyncResponse page(SyncPosition requested, ReadInboxResponse inbox) {
        SyncPosition position;
        try {
            position = requested.checkAgainst(inbox.getEpoch(), inbox.getHeadSeq());
        } catch (SyncKeyException e) {
            throw new RpcException(e.code(), e.getMessage());
        }
        long last = inbox.getOpsCount() == 0 ? position.inboxSeq() : inbox.getOps(inbox.getOpsCount() - 1).getSeq();
        if (inbox.getOpsCount() > 0 && inbox.getOps(0).getSeq() != position.inboxSeq() + 1) {
            throw new RpcException(ErrorCode.INTERNAL, "inbox page starts at seq " + inbox.getOps(0).getSeq() + " after key seq " + position.inboxSeq());
        }
        return SyncResponse.newBuilder()
                .addAllOps(inbox.getOpsList())
                .setNewKey(position.advancedTo(last).toKey())
                .setHasMore(last < inbox.getHeadSeq())
                .setDigest(RangeDigests.of(inbox.getOpsList()))
                .build();
    }

    /**
     * Adds the entries of the caller's large groups read from their logs (docs/protocol.md §15.5):
     * the streams the key holds and those the page's {@code ConvStreamOp}s start (a new stint starts
     * at its first entry), read one after another at their home SETs within what the page has left
     * of the op limit and of {@link #PAGE_BYTES_MAX}, so the whole answer still fits a frame. A
     * stream that ended (the user left or was removed) and was read to its end leaves the key.
     */
    private CompletableFuture<SyncResponse> withStreams(long userId, ConvPositions fromKey, int limit, SyncResponse inboxPage) {
        ConvPositions streams = fromKey;
        for (Op op : inboxPage.getOpsList()) {
            if (op.hasConvStream()) {
                streams = streams.with(op.getConvStream().getConvId(), op.getConvStream().getFromConvSeq() - 1);
            }
        }
        if (streams.convSeqs().isEmpty()) {
            return CompletableFuture.completedFuture(inboxPage);
        }
        int inboxBytes = inboxPage.getOpsList().stream().mapToInt(Op::getSerializedSize).sum();
        StreamPage page = new StreamPage(streams, limit - inboxPage.getOpsCount(), PAGE_BYTES_MAX - inboxBytes);
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (var stream : streams.convSeqs().entrySet()) {
            chain = chain.thenCompose(previous -> page.read(userId, stream.getKey(), stream.getValue()));
        }
        return chain.thenApply(done -> inboxPage.toBuilder().addAllConvEntries(page.entries)
                .setNewKey(page.positions.addTo(inboxPage.getNewKey())).setHasMore(inboxPage.getHasMore() || page.more).build());
    }

    /** What one sync takes from the streams: entries, positions after them, whether any has more. */
    private final class StreamPage {
        private final List<MessageOp> entries = new ArrayList<>();
        private ConvPositions positions;
        private int opsLeft;
        private int bytesLeft;
        private boolean more;

        StreamPage(ConvPositions positions, int opsLeft, int bytesLeft) {
            this.positions = positions;
            this.opsLeft = opsLeft;
            this.bytesLeft = bytesLeft;
        }

        CompletableFuture<Void> read(long userId, String convId, long held) {
            if (opsLeft <= 0 || bytesLeft <= 0) {
                more = true; // not read this time: the next sync reads it
                return CompletableFuture.completedFuture(null);
            }
            return streams.read(convId, userId, held, opsLeft, bytesLeft).thenAccept(stream -> {
                long last = held;
                for (MessageOp entry : stream.getEntriesList()) {
                    entries.add(entry);
                    opsLeft--;
                    bytesLeft -= entry.getSerializedSize();
                    last = entry.getConvSeq();
                }
                if (stream.getEnded() && last >= stream.getToConvSeq()) {
                    positions = positions.without(convId);
                } else {
                    positions = positions.with(convId, last);
                    more |= last < stream.getToConvSeq();
                }
            });
        }
    }
}

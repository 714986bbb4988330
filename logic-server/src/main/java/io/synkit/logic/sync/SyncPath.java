package io.synkit.logic.sync;

import io.synkit.logic.store.StoreCalls;
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
 * to a limit, with the new key, has_more and the page's digest. Stale and invalid keys are
 * errors, never silently served.
 */
public final class SyncPath {

    private final StoreCalls store;
    private final int syncOpsDefault;
    private final int syncOpsMax;

    public SyncPath(StoreCalls store, int syncOpsDefault, int syncOpsMax) {
        if (syncOpsDefault < 1 || syncOpsDefault > syncOpsMax) {
            throw new IllegalArgumentException("syncOpsDefault=" + syncOpsDefault + " must be in [1, syncOpsMax=" + syncOpsMax + "]");
        }
        this.store = store;
        this.syncOpsDefault = syncOpsDefault;
        this.syncOpsMax = syncOpsMax;
    }

    public CompletableFuture<SyncResponse> sync(Caller caller, SyncRequest request) {
        SyncPosition position = parse(request);
        long requested = Integer.toUnsignedLong(request.getLimit());
        int limit = requested == 0 ? syncOpsDefault : (int) Math.min(requested, syncOpsMax);
        StoreRequest read = StoreRequest.newBuilder().setReadInbox(ReadInboxRequest.newBuilder()
                .setUserId(caller.getUserId()).setAfterSeq(position.inboxSeq()).setLimit(limit)).build();
        return store.forUser(caller.getUserId(), read).thenApply(response -> page(position, response.getReadInbox()));
    }

    private static SyncPosition parse(SyncRequest request) {
        try {
            return SyncPosition.fromKey(request.getKey());
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
}

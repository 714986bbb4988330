package io.synkit.store.slot;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.RpcError;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.SlotMapWatcher;

/**
 * Guards a data SET against requests for keys it does not own: the user or conversation a request
 * names hashes to a slot, and the slot map (watched from the meta SET) says which SET owns it. A
 * request for another SET's slot gets WRONG_SET with this store's map version, so a caller with
 * an older map refreshes and goes to the owner; a caller with a newer map makes this store fetch
 * the new map at once. Without a meta SET configured (one SET, or a static map) nothing is checked.
 */
public final class SlotOwnership {

    /** No meta SET configured: every request is accepted. */
    public static final SlotOwnership UNCHECKED = new SlotOwnership(null, null);

    private final String setId;
    private final SlotMapWatcher watcher;

    public SlotOwnership(String setId, SlotMapWatcher watcher) {
        this.setId = setId;
        this.watcher = watcher;
    }

    /** The version ownership is checked against; 0 before the first map or when unchecked. */
    public long version() {
        SlotMap map = watcher == null ? null : watcher.current();
        return map == null ? 0 : map.version();
    }

    /** Null when requests are checked and a map is known, or unchecked; otherwise why no request can be served. */
    public String notReadyReason() {
        return watcher == null ? null : watcher.notReadyReason();
    }

    /** Throws WRONG_SET when the key of {@code request} belongs to another SET, UNAVAILABLE while no map is known. */
    public void check(StoreRequest request) {
        if (watcher == null) {
            return;
        }
        if (request.getSlotMapVersion() > 0) {
            watcher.refreshIfOlderThan(request.getSlotMapVersion());
        }
        SlotMap map = watcher.current();
        if (map == null) {
            throw new RpcException(ErrorCode.UNAVAILABLE, notReadyReason());
        }
        if (request.getBodyCase() == StoreRequest.BodyCase.READ_ROUTES) {
            for (long user : request.getReadRoutes().getUserIdsList()) {
                checkOwned(map, map.slotOfUser(user));
            }
            return;
        }
        int slot = slotOf(map, request);
        if (slot < 0) {
            return;
        }
        checkOwned(map, slot);
    }

    private void checkOwned(SlotMap map, int slot) {
        String owner = map.setOfSlot(slot).setId();
        if (!owner.equals(setId)) {
            throw new RpcException(RpcError.newBuilder().setCode(ErrorCode.WRONG_SET).setSlotMapVersion(map.version())
                    .setMessage("slot " + slot + " belongs to SET " + owner + " in slot map version " + map.version() + ", not to SET " + setId)
                    .build());
        }
    }

    /** The slot of the user or conversation the request is about; -1 for SET-wide requests (outbox scans and done batches). */
    private static int slotOf(SlotMap map, StoreRequest request) {
        return switch (request.getBodyCase()) {
            case APPEND_CONV -> map.slotOfConversation(request.getAppendConv().getMessage().getConvId());
            case READ_CONV -> map.slotOfConversation(request.getReadConv().getConvId());
            case OUTBOX_DONE -> map.slotOfConversation(request.getOutboxDone().getConvId());
            case CREATE_GROUP -> map.slotOfConversation(request.getCreateGroup().getConvId());
            case READ_GROUP -> map.slotOfConversation(request.getReadGroup().getConvId());
            case APPEND_INBOX -> map.slotOfUser(request.getAppendInbox().getUserId());
            case READ_INBOX -> map.slotOfUser(request.getReadInbox().getUserId());
            case PUT_ROUTE -> map.slotOfUser(request.getPutRoute().getUserId());
            case REMOVE_ROUTE -> map.slotOfUser(request.getRemoveRoute().getUserId());
            case ADD_MEMBERSHIP -> map.slotOfUser(request.getAddMembership().getUserId());
            case LOGIN_DEVICE -> map.slotOfUser(request.getLoginDevice().getUserId());
            case LOGOUT_DEVICES -> map.slotOfUser(request.getLogoutDevices().getUserId());
            case READ_DEVICES -> map.slotOfUser(request.getReadDevices().getUserId());
            case READ_HISTORY -> map.slotOfConversation(request.getReadHistory().getConvId());
            case MARK_READ -> map.slotOfUser(request.getMarkRead().getUserId());
            case READ_CONVERSATIONS -> map.slotOfUser(request.getReadConversations().getUserId());
            case READ_STREAM -> map.slotOfConversation(request.getReadStream().getConvId());
            default -> -1;
        };
    }
}

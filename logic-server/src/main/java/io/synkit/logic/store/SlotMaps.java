package io.synkit.logic.store;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.SlotMapWatcher;

/** Where a logic node gets the slot map it routes by: fixed in its config, or watched from the meta SET. */
public interface SlotMaps {

    /** The map to route by now; throws UNAVAILABLE while none is known. */
    SlotMap current();

    /** A store answered WRONG_SET with its map version: fetch a newer map if that one is newer. */
    void storeHasVersion(long version);

    /** Null when a map is known; else why not (readiness). */
    String notReadyReason();

    static SlotMaps fixed(SlotMap map) {
        return new SlotMaps() {
            @Override
            public SlotMap current() {
                return map;
            }

            @Override
            public void storeHasVersion(long version) {
                // A fixed map never changes: the stores are unchecked, so this does not happen.
            }

            @Override
            public String notReadyReason() {
                return null;
            }
        };
    }

    static SlotMaps watched(SlotMapWatcher watcher) {
        return new SlotMaps() {
            @Override
            public SlotMap current() {
                SlotMap map = watcher.current();
                if (map == null) {
                    throw new RpcException(ErrorCode.UNAVAILABLE, notReadyReason());
                }
                return map;
            }

            @Override
            public void storeHasVersion(long version) {
                watcher.refreshIfOlderThan(version);
            }

            @Override
            public String notReadyReason() {
                return watcher.notReadyReason();
            }
        };
    }
}

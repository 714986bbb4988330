package io.synkit.protocol.sync;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.StreamPosition;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.conv.ConversationId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code STREAM_CONV} positions of a sync key: per large group the user reads by its
 * conversation log (docs/protocol.md §15.5), the highest conv_seq the client holds. Ordered by
 * conversation id, so a key is written the same way for the same positions.
 *
 * <p>A position names a group conversation at most once, at most {@link #STREAMS_MAX} of them;
 * anything else is {@link ErrorCode#SYNC_KEY_INVALID}. Whether the user may read the group is
 * checked where its entries are (the home SET), never from the key.
 */
public final class ConvPositions {

    /** Large-group positions one key holds at most (a user's large groups). */
    public static final int STREAMS_MAX = 1_000;

    private final TreeMap<String, Long> convSeqs;

    private ConvPositions(TreeMap<String, Long> convSeqs) {
        this.convSeqs = convSeqs;
    }

    public static ConvPositions none() {
        return new ConvPositions(new TreeMap<>());
    }

    public static ConvPositions fromKey(SyncKey key) {
        TreeMap<String, Long> convSeqs = new TreeMap<>();
        for (StreamPosition position : key.getPositionsList()) {
            if (position.getStream() != Stream.STREAM_CONV) {
                continue;
            }
            ConversationId conv;
            try {
                conv = ConversationId.parse(position.getConvId());
            } catch (IllegalArgumentException e) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key names a conversation stream of a malformed id: " + e.getMessage());
            }
            if (!conv.isGroup() || position.getSeq() < 0 || convSeqs.put(conv.value(), position.getSeq()) != null) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key names conversation stream " + conv
                        + " twice, at an out-of-range conv_seq, or not of a group");
            }
            if (convSeqs.size() > STREAMS_MAX) {
                throw new SyncKeyException(ErrorCode.SYNC_KEY_INVALID, "sync key names more than " + STREAMS_MAX + " conversation streams");
            }
        }
        return new ConvPositions(convSeqs);
    }

    /** conv id → highest conv_seq held, ascending by id. */
    public Map<String, Long> convSeqs() {
        return Collections.unmodifiableMap(convSeqs);
    }

    public ConvPositions with(String convId, long convSeq) {
        TreeMap<String, Long> next = new TreeMap<>(convSeqs);
        next.put(convId, convSeq);
        return new ConvPositions(next);
    }

    public ConvPositions without(String convId) {
        TreeMap<String, Long> next = new TreeMap<>(convSeqs);
        next.remove(convId);
        return new ConvPositions(next);
    }

    /** The inbox position's key with these streams after it. */
    public SyncKey addTo(SyncKey inboxKey) {
        if (convSeqs.isEmpty()) {
            return inboxKey;
        }
        SyncKey.Builder key = inboxKey.toBuilder();
        convSeqs.forEach((conv, convSeq) -> key.addPositions(StreamPosition.newBuilder().setStream(Stream.STREAM_CONV).setConvId(conv).setSeq(convSeq)));
        return key.build();
    }
}

package io.synkit.store.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.conv.GroupRoster;
import io.synkit.protocol.internal.GroupRecord;
import io.synkit.protocol.internal.UserDevices;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The key layout of a store replica. Integers are 8-byte big-endian so RocksDB's bytewise order
 * is numeric order; a conversation id is written as a 2-byte length and its UTF-8 bytes, so no id
 * is a prefix of another.
 *
 * <pre>
 * column family | key                                   | value
 * meta          | 'I' user                              | inbox head seq
 * meta          | 'E' user                              | inbox timeline epoch (absent = 1)
 * meta          | 'C' conv                              | conversation head conv_seq
 * meta          | 'P' user conv                         | highest conv_seq of conv in the user's inbox
 * meta          | 'A'                                   | replication log index applied last
 * meta          | 'A' 'E'                               | epoch of that entry
 * meta          | 'J'                                   | present: replica must catch up before voting
 * meta          | 'Z'                                   | present: a snapshot install is under way
 * meta          | 'M'                                   | SlotMapRecord (meta SET only)
 * meta          | 'G' conv                              | GroupRecord: current members, every user's latest stint, version (home SET)
 * meta          | 'W' user conv                         | MembershipRecord: the user's stint in group conv, whose entries the inbox takes (user's SET)
 * meta          | 'L' user conv                         | ConversationState: newest entry's inbox seq, read mark, unread count (user's SET)
 * meta          | 'O' conv user                         | the user's own newest entry of a large group read from its log (home SET)
 * meta          | 'V' user                              | UserDevices: the user's device registry and revocations
 * inbox         | user seq                              | client Op (seq + message)
 * conv          | conv conv_seq                         | MessageOp
 * dedup         | 'M' sender conv client_msg_id         | conv conv_seq of the original send
 * dedup         | 'F' user conv conv_seq                | inbox seq the entry got
 * routes        | user device_id                        | DeviceRoute
 * outbox        | conv conv_seq                         | commit time ms (fan-out not yet confirmed)
 * </pre>
 *
 * <p>Chat semantics (issue 17) added the stints in {@code 'G'} and {@code 'W'} (an empty
 * {@code 'W'} value, written before, is a stint since the group's creation) and the
 * {@code 'L'} state; see docs/architecture.md, "Decision: chat state layout".
 *
 * <p>Retired layouts, neither written nor read: dedup {@code 'S' sender client_msg_id} (send
 * idempotency keyed without the conversation, which answered a send into one conversation as a
 * retry of another's message; issue 15).
 */
public final class StoreKeys {

    public static final long TIMELINE_EPOCH_INITIAL = 1;

    /** A route's key begins with its user id: the prefix of one user's routes. */
    public static final int ROUTE_PREFIX_BYTES = Long.BYTES;

    private StoreKeys() {
    }

    public static byte[] appliedIndex() {
        return new byte[] {'A'};
    }

    public static byte[] appliedEpoch() {
        return new byte[] {'A', 'E'};
    }

    public static byte[] needsCatchUp() {
        return new byte[] {'J'};
    }

    public static byte[] slotMap() {
        return new byte[] {'M'};
    }

    public static byte[] snapshotInstalling() {
        return new byte[] {'Z'};
    }

    public static byte[] inboxHead(long userId) {
        return ByteBuffer.allocate(9).put((byte) 'I').putLong(userId).array();
    }

    public static byte[] inboxEpoch(long userId) {
        return ByteBuffer.allocate(9).put((byte) 'E').putLong(userId).array();
    }

    public static byte[] convHead(String convId) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(1 + conv.length).put((byte) 'C').put(conv).array();
    }

    public static byte[] group(String convId) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(1 + conv.length).put((byte) 'G').put(conv).array();
    }

    public static byte[] membership(long userId, String convId) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(9 + conv.length).put((byte) 'W').putLong(userId).put(conv).array();
    }

    public static byte[] devices(long userId) {
        return ByteBuffer.allocate(9).put((byte) 'V').putLong(userId).array();
    }

    /** The stored device registry of {@code userId}; empty when {@code value} is null (no device logged in yet). */
    public static UserDevices userDevicesOf(byte[] value, long userId) {
        if (value == null) {
            return UserDevices.getDefaultInstance();
        }
        try {
            return UserDevices.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: device registry of user " + userId + " does not parse", e);
        }
    }

    /** Read state and conversation-list entry of one conversation of a user. */
    public static byte[] conversationState(long userId, String convId) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(9 + conv.length).put((byte) 'L').putLong(userId).put(conv).array();
    }

    /** The prefix of every {@link #conversationState} key of a user. */
    public static byte[] conversationStatePrefix(long userId) {
        return ByteBuffer.allocate(9).put((byte) 'L').putLong(userId).array();
    }

    /** A user's own newest entry of a group read by its log (read diffusion), at the home SET. */
    public static byte[] ownLast(String convId, long userId) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(9 + conv.length).put((byte) 'O').put(conv).putLong(userId).array();
    }

    public static byte[] convCursor(long userId, String convId) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(9 + conv.length).put((byte) 'P').putLong(userId).put(conv).array();
    }

    public static byte[] inboxEntry(long userId, long seq) {
        return ByteBuffer.allocate(16).putLong(userId).putLong(seq).array();
    }

    public static byte[] inboxPrefix(long userId) {
        return ByteBuffer.allocate(8).putLong(userId).array();
    }

    public static byte[] convEntry(String convId, long convSeq) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(conv.length + 8).put(conv).putLong(convSeq).array();
    }

    public static byte[] convPrefix(String convId) {
        return convBytes(convId);
    }

    /** Send idempotency: one record per (sender, conversation, client_msg_id). */
    public static byte[] sendDedup(long senderUserId, String convId, String clientMsgId) {
        byte[] conv = convBytes(convId);
        byte[] id = clientMsgId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(9 + conv.length + id.length).put((byte) 'M').putLong(senderUserId).put(conv).put(id).array();
    }

    public static byte[] fanoutDedup(long userId, String convId, long convSeq) {
        byte[] conv = convBytes(convId);
        return ByteBuffer.allocate(17 + conv.length).put((byte) 'F').putLong(userId).put(conv).putLong(convSeq).array();
    }

    public static byte[] route(long userId, String deviceId) {
        byte[] device = deviceId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + device.length).putLong(userId).put(device).array();
    }

    public static byte[] routePrefix(long userId) {
        return ByteBuffer.allocate(ROUTE_PREFIX_BYTES).putLong(userId).array();
    }

    /** Whether {@code key} starts with {@code prefix} (a scan of one user's keys ends at the first that does not). */
    public static boolean hasPrefix(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The outbox key is the conversation entry's key. */
    public static byte[] outbox(String convId, long convSeq) {
        return convEntry(convId, convSeq);
    }

    /** Decodes {@code conv conv_seq} (a conv entry or outbox key) back into its conversation id. */
    public static String convIdOf(byte[] convEntryKey) {
        ByteBuffer buffer = ByteBuffer.wrap(convEntryKey);
        int length = buffer.getShort() & 0xffff;
        return new String(convEntryKey, 2, length, StandardCharsets.UTF_8);
    }

    /** Decodes the conversation id of a {@link #conversationState} key. */
    public static String convIdOfState(byte[] stateKey) {
        int length = ByteBuffer.wrap(stateKey, 9, 2).getShort() & 0xffff;
        return new String(stateKey, 11, length, StandardCharsets.UTF_8);
    }

    /** Decodes the conv_seq of a {@code conv conv_seq} key. */
    public static long convSeqOf(byte[] convEntryKey) {
        return ByteBuffer.wrap(convEntryKey, convEntryKey.length - 8, 8).getLong();
    }

    public static byte[] longValue(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    public static long longOf(byte[] value, long absent) {
        if (value == null) {
            return absent;
        }
        if (value.length != 8) {
            throw new IllegalStateException("corrupt store: an 8-byte counter value has " + value.length + " bytes");
        }
        return ByteBuffer.wrap(value).getLong();
    }

    /** The roster of a stored group record of {@code conv}; an empty one when {@code value} is null (no such group). */
    public static GroupRoster groupRosterOf(byte[] value, ConversationId conv) {
        if (value == null) {
            return GroupRoster.of(GroupRecord.getDefaultInstance(), conv.lowUserId());
        }
        try {
            return GroupRoster.of(GroupRecord.parseFrom(value), conv.lowUserId());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt store: group record of " + conv + " does not parse", e);
        }
    }

    private static byte[] convBytes(String convId) {
        byte[] utf8 = convId.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xffff) {
            throw new IllegalArgumentException("conversation id of " + utf8.length + " bytes is too long for a key");
        }
        return ByteBuffer.allocate(2 + utf8.length).putShort((short) utf8.length).put(utf8).array();
    }
}

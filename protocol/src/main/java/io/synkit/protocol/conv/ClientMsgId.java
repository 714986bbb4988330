package io.synkit.protocol.conv;

/**
 * A client message id: chosen by the sending client once per message and reused on every retry
 * of it, so a send is idempotent. The key of that idempotency is (sender, conversation, id): the
 * same id in another conversation is another message. Checked by logic at the door and by the
 * conversation's home SET, which keys its records by it.
 */
public final class ClientMsgId {

    /** Longest id, in UTF-16 code units (Java chars); ids are part of store keys. */
    public static final int CHARS_MAX = 64;

    private ClientMsgId() {
    }

    /**
     * @throws IllegalArgumentException naming the length when the id is empty or longer than {@link #CHARS_MAX}
     */
    public static void check(String clientMsgId) {
        if (clientMsgId.isEmpty() || clientMsgId.length() > CHARS_MAX) {
            throw new IllegalArgumentException("client_msg_id must have 1.." + CHARS_MAX + " characters, got " + clientMsgId.length());
        }
    }
}

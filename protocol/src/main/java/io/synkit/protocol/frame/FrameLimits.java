package io.synkit.protocol.frame;

/**
 * Limits of the length-prefixed frame format shared by the client protocol and internal RPC.
 *
 * @param frameBytesMax largest accepted frame body in bytes (the 4-byte length prefix excluded)
 */
public record FrameLimits(int frameBytesMax) {

    /** Length prefix size in bytes: a big-endian unsigned 32-bit integer. */
    public static final int LENGTH_PREFIX_BYTES = 4;

    /** Default for client links: 1 MiB, far above a message body limit, small enough to bound memory. */
    public static final int CLIENT_FRAME_BYTES_DEFAULT = 1 << 20;

    /** Default for internal RPC: sync pages and fan-out batches are larger than a client frame. */
    public static final int INTERNAL_FRAME_BYTES_DEFAULT = 16 << 20;

    public FrameLimits {
        if (frameBytesMax < 64 || frameBytesMax > (256 << 20)) {
            throw new IllegalArgumentException("frameBytesMax=" + frameBytesMax + " must be in [64, 268435456]");
        }
    }

    public static FrameLimits client() {
        return new FrameLimits(CLIENT_FRAME_BYTES_DEFAULT);
    }

    public static FrameLimits internal() {
        return new FrameLimits(INTERNAL_FRAME_BYTES_DEFAULT);
    }
}

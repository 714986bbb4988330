package io.synkit.store.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Contents of the {@code hardstate} file, 40 bytes big-endian: magic, format version, epoch,
 * votedFor, snapshot index and epoch (the last entry dropped by prefix truncation, 0/0 for
 * none), then a CRC32C over the 36 bytes before it.
 */
record HardState(long epoch, int votedFor, long snapshotIndex, long snapshotEpoch) {

    static final HardState INITIAL = new HardState(0, -1, 0, 0);
    private static final int MAGIC = 0x534b4853;
    private static final int VERSION = 1;
    private static final int BYTES = 40;

    ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(BYTES);
        buffer.putInt(MAGIC).putInt(VERSION).putLong(epoch).putInt(votedFor).putLong(snapshotIndex).putLong(snapshotEpoch);
        buffer.putInt(crc(buffer.array()));
        return buffer.flip();
    }

    static HardState decode(byte[] bytes, Path file) {
        if (bytes.length != BYTES) {
            throw LogDirectory.damaged(file, 0, "hard state is " + bytes.length + " bytes, not " + BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int magic = buffer.getInt();
        int version = buffer.getInt();
        if (magic != MAGIC || version != VERSION) {
            throw LogDirectory.damaged(file, 0, "hard state magic " + Integer.toHexString(magic) + " version " + version);
        }
        HardState state = new HardState(buffer.getLong(), buffer.getInt(), buffer.getLong(), buffer.getLong());
        int stored = buffer.getInt();
        if (stored != crc(bytes)) {
            throw LogDirectory.damaged(file, BYTES - 4, "hard state CRC " + Integer.toHexString(stored) + " does not match its contents");
        }
        return state;
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, BYTES - 4);
        return (int) crc.getValue();
    }
}

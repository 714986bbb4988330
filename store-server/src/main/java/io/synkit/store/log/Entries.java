package io.synkit.store.log;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.Entry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Building and checking log entries: CRC32C over epoch, index and payload. */
public final class Entries {

    private Entries() {
    }

    public static Entry of(long epoch, long index, ByteString payload) {
        return Entry.newBuilder().setEpoch(epoch).setIndex(index).setPayload(payload).setCrc(crc(epoch, index, payload)).build();
    }

    /** Throws {@link CorruptEntryException} when the entry's CRC does not match its contents (corruption on disk or wire). */
    public static Entry checked(Entry entry) {
        int expected = crc(entry.getEpoch(), entry.getIndex(), entry.getPayload());
        if (expected != entry.getCrc()) {
            throw new CorruptEntryException(entry.getIndex(), "log entry " + entry.getIndex() + " (epoch " + entry.getEpoch() + ") fails its CRC: stored "
                    + Integer.toHexString(entry.getCrc()) + " computed " + Integer.toHexString(expected));
        }
        return entry;
    }

    static int crc(long epoch, long index, ByteString payload) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(16).putLong(epoch).putLong(index).flip());
        crc.update(payload.asReadOnlyByteBuffer());
        return (int) crc.getValue();
    }
}

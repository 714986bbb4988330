package io.synkit.store.engine;

import java.nio.charset.StandardCharsets;
import org.rocksdb.RocksDB;

/** The RocksDB column families of a replica; {@link StoreKeys} documents what each holds. */
public enum Column {
    META(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8), 0),
    INBOX("inbox", 0),
    CONV("conv", 0),
    DEDUP("dedup", 0),
    /** Keys start with the user id: a write reads all of a user's routes. */
    ROUTES("routes", StoreKeys.ROUTE_PREFIX_BYTES),
    OUTBOX("outbox", 0);

    private final String familyName;
    private final int groupPrefixBytes;

    Column(String familyName, int groupPrefixBytes) {
        this.familyName = familyName;
        this.groupPrefixBytes = groupPrefixBytes;
    }

    /**
     * Length of the key prefix that groups keys read together by writes (a user's routes), or 0:
     * the write path indexes its not yet committed writes of the column by it.
     */
    public int groupPrefixBytes() {
        return groupPrefixBytes;
    }

    public byte[] familyNameBytes() {
        return familyName.getBytes(StandardCharsets.UTF_8);
    }
}

package io.synkit.store.engine;

import java.nio.charset.StandardCharsets;
import org.rocksdb.RocksDB;

/** The RocksDB column families of a replica; {@link StoreKeys} documents what each holds. */
public enum Column {
    META(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8)),
    INBOX("inbox"),
    CONV("conv"),
    DEDUP("dedup"),
    ROUTES("routes"),
    OUTBOX("outbox");

    private final String familyName;

    Column(String familyName) {
        this.familyName = familyName;
    }

    public byte[] familyNameBytes() {
        return familyName.getBytes(StandardCharsets.UTF_8);
    }
}

package io.synkit.store.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The batch built in Java is byte for byte the one RocksDB's own {@code WriteBatch} serializes for
 * the same writes: puts and deletes, the default family and the others, keys and values whose
 * lengths take one to three varint bytes; and RocksDB applies it.
 */
class WriteBatchBytesTest {

    @TempDir
    Path dir;

    @Test
    void buildsTheBytesRocksDbSerializesForTheSameWritesAndRocksDbAppliesThem() throws RocksDBException {
        long seed = System.nanoTime();
        System.out.println("WriteBatchBytesTest seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (StoreEngine engine = new StoreEngine(dir.resolve("db")); WriteBatch native_ = new WriteBatch()) {
            WriteBatchBytes built = new WriteBatchBytes();
            for (int i = 0; i < 500; i++) {
                Column column = Column.values()[random.nextInt(Column.values().length)];
                byte[] key = bytes(random, random.nextInt(4) == 0 ? 200 : 20);
                if (random.nextInt(5) == 0) {
                    native_.delete(engine.handle(column), key);
                    built.delete(engine.handle(column).getID(), key);
                } else {
                    byte[] value = bytes(random, random.nextInt(10) == 0 ? 20_000 : 200);
                    native_.put(engine.handle(column), key, value);
                    built.put(engine.handle(column).getID(), key, value);
                }
            }
            assertEquals(native_.count(), built.count());
            byte[] expected = native_.data();
            assertArrayEquals(expected, built.data().toByteArray(), "seed " + seed);
            assertEquals(expected.length, built.length());
            try (WriteBatch replay = new WriteBatch(built.data().toByteArray())) {
                engine.writeDurably(replay);
            }
        }
    }

    private static byte[] bytes(SplittableRandom random, int lengthMax) {
        byte[] bytes = new byte[1 + random.nextInt(lengthMax)];
        random.nextBytes(bytes);
        return bytes;
    }
}

package io.synkit.ops.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** What the disk under a benchmark can do by itself: the physical references every figure sits on. */
final class DiskProbes {

    private DiskProbes() {
    }

    /** 4 KiB written and {@code fdatasync}ed in a loop, on one thread. */
    static double fdatasyncPerSecond(Path file, long durationMs) throws Exception {
        ByteBuffer block = ByteBuffer.allocateDirect(4096);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long count = 0;
            long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(durationMs)) {
                block.clear();
                channel.write(block);
                channel.force(false);
                count++;
            }
            return count / ((System.nanoTime() - startNs) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** RocksDB {@code WriteBatch} of 100 puts of 200 B, each batch written with sync, on one thread: ops (puts) per second. */
    static double rocksBatchOpsPerSecond(Path path, long durationMs) throws Exception {
        RocksDB.loadLibrary();
        byte[] value = new byte[200];
        try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, path.toString());
             WriteOptions sync = new WriteOptions().setSync(true)) {
            long ops = 0;
            long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(durationMs)) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (int i = 0; i < 100; i++) {
                        batch.put(ByteBuffer.allocate(8).putLong(ops++).array(), value);
                    }
                    db.write(sync, batch);
                }
            }
            return ops / ((System.nanoTime() - startNs) / 1e9);
        }
    }
}

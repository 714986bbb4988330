package io.synkit.ops.bench;

import io.synkit.ops.cluster.Directories;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.write.CommandBatch;
import io.synkit.store.write.WriterMemory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench apply}: what applying committed sends costs one replica, alone. Builds the
 * write batches a primary builds for {@code AppendConv} ops with 200-byte bodies, with the store's
 * own write commands ({@link CommandBatch}: a conversation entry, the conversation head, the dedup
 * record and the outbox mark per op), adds the applied index per batch, and applies them as a
 * backup does, from the batch bytes, with an unsynced WAL (the store's RocksDB options). Reports
 * per op the wall and CPU time of applying (every replica of a SET pays it for every op), the CPU
 * of building (the commands' reads and writes, which only the primary's writer pays), and the
 * CPU of the whole process (RocksDB's flushes and compactions included). With {@code --command
 * inbox} the ops are {@code AppendInbox} instead (each message's fan-out to its sender's inbox:
 * the inbox entry, its head, the conversation cursor and the dedup record).
 */
@Command(name = "apply", mixinStandardHelpOptions = true, description = "Cost of applying committed ops on one replica.")
public final class ApplyBenchCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "Scratch directory on the disk to measure (a fresh store is made in it)")
    Path dir;

    @Option(names = "--seconds", defaultValue = "15", description = "Seconds to apply for (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--batch-ops", defaultValue = "100", description = "Ops per applied batch (default ${DEFAULT-VALUE})")
    int batchOps;

    @Option(names = "--conversations", defaultValue = "5000", description = "Conversations the ops spread over (default ${DEFAULT-VALUE})")
    int conversations;

    @Option(names = "--command", defaultValue = "conv", description = "conv: AppendConv ops; inbox: AppendInbox ops, each message's fan-out to its sender's inbox (default ${DEFAULT-VALUE})")
    String command;

    @Override
    public Integer call() throws Exception {
        if (!command.equals("conv") && !command.equals("inbox")) {
            System.err.println("bench apply: --command is conv or inbox, not " + command);
            return 2;
        }
        Path storeDir = dir.resolve("apply-store");
        if (Files.exists(storeDir)) {
            throw new IllegalArgumentException(storeDir + " exists: give a --dir without an apply-store in it");
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (StoreEngine engine = new StoreEngine(storeDir)) {
            // A primary's writer keeps what it remembers of the heads it wrote from batch to batch.
            WriterMemory memory = new WriterMemory();
            long ops = 0;
            long index = 0;
            long applyNs = 0;
            long applyCpuNs = 0;
            long processCpuStartNs = os.getProcessCpuTime();
            long threadCpuStartNs = threads.getCurrentThreadCpuTime();
            long startNs = System.nanoTime();
            long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < endNs) {
                byte[] payload;
                try (CommandBatch built = new CommandBatch(engine, Clock.SYSTEM, memory)) {
                    for (int i = 0; i < batchOps; i++, ops++) {
                        built.apply(command.equals("conv") ? BenchOp.appendConv(ops, conversations) : BenchOp.appendInbox(ops, conversations));
                    }
                    payload = built.data();
                }
                long applyStartNs = System.nanoTime();
                long applyCpuStartNs = threads.getCurrentThreadCpuTime();
                try (WriteBatch apply = new WriteBatch(payload)) {
                    index++;
                    apply.put(engine.handle(Column.META), StoreKeys.appliedIndex(), StoreKeys.longValue(index));
                    apply.put(engine.handle(Column.META), StoreKeys.appliedEpoch(), StoreKeys.longValue(1));
                    engine.writeUnsynced(apply);
                }
                applyNs += System.nanoTime() - applyStartNs;
                applyCpuNs += threads.getCurrentThreadCpuTime() - applyCpuStartNs;
            }
            double elapsedS = (System.nanoTime() - startNs) / 1e9;
            double threadCpuUs = (threads.getCurrentThreadCpuTime() - threadCpuStartNs) / 1000.0;
            double processCpuUs = (os.getProcessCpuTime() - processCpuStartNs) / 1000.0;
            System.out.printf(Locale.ROOT, "bench apply: dir=%s seconds=%d batch_ops=%d conversations=%d command=%s cores=%d%n", dir, seconds, batchOps,
                    conversations, command, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "built and applied %d ops in %d batches: %.0f ops/s on one thread, %.0f ops/s of applying alone%n", ops,
                    index, ops / elapsedS, ops / (applyNs / 1e9));
            System.out.printf(Locale.ROOT, "per op: applying %.2f us in the RocksDB write (wall), %.2f us CPU; building %.2f us CPU;"
                    + " %.2f us CPU of the process (both, and RocksDB's flushes and compactions)%n", applyNs / 1000.0 / ops,
                    applyCpuNs / 1000.0 / ops, (threadCpuUs - applyCpuNs / 1000.0) / ops, processCpuUs / ops);
        } catch (RocksDBException e) {
            throw new IllegalStateException("adding the applied index to a write batch failed: " + e.getMessage(), e);
        } finally {
            Directories.deleteTree(storeDir);
        }
        return 0;
    }
}

package io.synkit.store.state;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.engine.StoreKeys;
import io.synkit.store.log.Entries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RocksStateMachineTest {

    @TempDir
    Path dir;

    @Test
    void appliedIndexAndEpochSurviveReopen() throws RocksDBException {
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            RocksStateMachine machine = new RocksStateMachine(engine);
            machine.apply(entry(engine, 1, 1, "a"));
            machine.apply(entry(engine, 2, 2, "b"));
            machine.persist();
        }
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            RocksStateMachine machine = new RocksStateMachine(engine);
            assertEquals(2, machine.appliedIndex());
            assertEquals(2, machine.appliedEpoch());
        }
    }

    @Test
    void entriesAppliedInOneWriteLeaveWhatAppliedOneByOneLeaves() throws RocksDBException {
        try (StoreEngine joined = new StoreEngine(dir.resolve("joined")); StoreEngine single = new StoreEngine(dir.resolve("single"))) {
            java.util.List<Entry> entries = java.util.List.of(entry(joined, 1, 1, "a"), Entries.of(1, 2, ByteString.EMPTY), entry(joined, 2, 3, "b"),
                    deletion(joined, 2, 4, "a"), entry(joined, 2, 5, "c"));
            RocksStateMachine oneWrite = new RocksStateMachine(joined);
            oneWrite.applyAll(entries);
            RocksStateMachine oneByOne = new RocksStateMachine(single);
            entries.forEach(oneByOne::apply);
            for (RocksStateMachine machine : java.util.List.of(oneWrite, oneByOne)) {
                assertEquals(5, machine.appliedIndex());
                assertEquals(2, machine.appliedEpoch());
            }
            for (StoreEngine engine : java.util.List.of(joined, single)) {
                assertNull(engine.get(Column.INBOX, key("a")), "deleted by a later entry of the same write");
                assertArrayEquals(value("b"), engine.get(Column.INBOX, key("b")));
                assertArrayEquals(value("c"), engine.get(Column.INBOX, key("c")));
                assertEquals(2, count(engine, Column.INBOX));
            }
            assertThrows(IllegalStateException.class, () -> oneWrite.applyAll(java.util.List.of(entry(joined, 2, 7, "d"), entry(joined, 2, 8, "e"))),
                    "a gap after the applied index");
        }
    }

    @Test
    void restoreReplacesEveryKeyByTheCheckpointsAndRecordsItsIndex() throws RocksDBException {
        Path checkpoint = dir.resolve("checkpoint");
        try (StoreEngine primary = new StoreEngine(dir.resolve("primary"))) {
            RocksStateMachine machine = new RocksStateMachine(primary);
            for (int i = 1; i <= 50; i++) {
                machine.apply(entry(primary, 1 + i / 20, i, "p" + i));
            }
            primary.checkpoint(checkpoint);
        }
        try (StoreEngine backup = new StoreEngine(dir.resolve("backup"))) {
            RocksStateMachine machine = new RocksStateMachine(backup);
            machine.apply(entry(backup, 1, 1, "stale-only-here"));
            machine.restoreFrom(checkpoint, 50, 3);
            assertEquals(50, machine.appliedIndex());
            assertEquals(3, machine.appliedEpoch());
            assertNull(backup.get(Column.INBOX, key("stale-only-here")), "keys the checkpoint lacks are gone");
            assertEquals(50, count(backup, Column.INBOX));
            assertArrayEquals(value("p37"), backup.get(Column.INBOX, key("p37")));
            assertFalse(machine.needsCatchUp());
        }
        try (StoreEngine backup = new StoreEngine(dir.resolve("backup"))) {
            RocksStateMachine machine = new RocksStateMachine(backup);
            assertEquals(50, machine.appliedIndex(), "the install was durable");
            assertEquals(50, count(backup, Column.INBOX));
        }
    }

    @Test
    void restoreRefusesACheckpointOfAnotherIndex() throws RocksDBException {
        Path checkpoint = dir.resolve("checkpoint");
        try (StoreEngine primary = new StoreEngine(dir.resolve("primary"))) {
            new RocksStateMachine(primary).apply(entry(primary, 1, 1, "x"));
            primary.checkpoint(checkpoint);
        }
        try (StoreEngine backup = new StoreEngine(dir.resolve("backup"))) {
            RocksStateMachine machine = new RocksStateMachine(backup);
            assertThrows(IllegalStateException.class, () -> machine.restoreFrom(checkpoint, 7, 1));
            assertEquals(0, machine.appliedIndex());
        }
    }

    @Test
    void anInterruptedInstallIsWipedOnRestartAndTheReplicaMustCatchUp() throws RocksDBException {
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            RocksStateMachine machine = new RocksStateMachine(engine);
            machine.apply(entry(engine, 1, 1, "half-copied"));
            try (WriteBatch mark = new WriteBatch()) {
                mark.put(engine.handle(Column.META), StoreKeys.snapshotInstalling(), StoreKeys.longValue(40));
                engine.writeDurably(mark);
            }
        }
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            RocksStateMachine machine = new RocksStateMachine(engine);
            assertEquals(0, machine.appliedIndex());
            assertEquals(0, machine.appliedEpoch());
            assertTrue(machine.needsCatchUp());
            assertEquals(0, count(engine, Column.INBOX));
            assertNull(engine.get(Column.META, StoreKeys.snapshotInstalling()));
        }
    }

    private static Entry entry(StoreEngine engine, long epoch, long index, String key) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(engine.handle(Column.INBOX), key(key), value(key));
            return Entries.of(epoch, index, ByteString.copyFrom(batch.data()));
        }
    }

    private static Entry deletion(StoreEngine engine, long epoch, long index, String key) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.delete(engine.handle(Column.INBOX), key(key));
            return Entries.of(epoch, index, ByteString.copyFrom(batch.data()));
        }
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(String name) {
        return ("value of " + name).getBytes(StandardCharsets.UTF_8);
    }

    private static long count(StoreEngine engine, Column column) {
        long keys = 0;
        try (RocksIterator it = engine.iterator(column)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                keys++;
            }
        }
        return keys;
    }
}

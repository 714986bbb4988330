package io.synkit.store.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.Entry;
import io.synkit.store.engine.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogStorageTest {

    /** Every test entry serializes to the same size (indexes < 128, epochs < 128, fixed payload length). */
    private static final long RECORD_BYTES = 4 + entry(1, 1).getSerializedSize();
    /** Two records per segment. */
    private static final long TWO_RECORD_SEGMENT_BYTES = 2 * RECORD_BYTES + RECORD_BYTES / 2;

    @TempDir
    Path dir;

    @Test
    void freshLogIsEmptyWithNoVote() {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(1, log.firstIndex());
            assertEquals(0, log.lastIndex());
            assertEquals(0, log.epochAt(0));
            assertEquals(0, log.currentEpoch());
            assertEquals(-1, log.votedFor());
            assertTrue(log.entries(1, 10, 10).isEmpty());
        }
    }

    @Test
    void syncedEntriesSurviveReopen() {
        List<Entry> written = new ArrayList<>(entries(1, 1, 4));
        written.addAll(entries(2, 5, 9));
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.append(written.subList(0, 4));
            log.append(written.subList(4, 9));
            log.sync();
        }
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(1, log.firstIndex());
            assertEquals(9, log.lastIndex());
            assertEquals(written, log.entries(1, 9, 100));
            assertEquals(1, log.epochAt(4));
            assertEquals(2, log.epochAt(5));
            assertEquals(2, log.epochAt(9));
        }
    }

    @Test
    void resetDropsEveryEntryAndRestartsTheLogAfterTheSnapshot() {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.saveHardState(3, 1);
            log.append(epochedOneToNine());
            log.sync();
            log.resetTo(20, 3);
            assertEquals(21, log.firstIndex());
            assertEquals(20, log.lastIndex());
            assertEquals(3, log.epochAt(20));
            assertThrows(IllegalArgumentException.class, () -> log.entries(5, 9, 10));
            log.append(entries(3, 21, 22));
            log.sync();
        }
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            assertEquals(21, log.firstIndex());
            assertEquals(22, log.lastIndex());
            assertEquals(entries(3, 21, 22), log.entries(21, 22, 10));
            assertEquals(3, log.currentEpoch(), "epoch and vote survive a reset");
            assertEquals(1, log.votedFor());
        }
    }

    @Test
    void resetRefusesASnapshotEpochAheadOfTheLogsEpoch() {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.saveHardState(2, -1);
            assertThrows(IllegalArgumentException.class, () -> log.resetTo(10, 3));
        }
    }

    @Test
    void unsyncedAppendsInThePageCacheAreFoundOnReopen() {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.append(entries(1, 1, 5));
        }
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(5, log.lastIndex());
            assertEquals(entries(1, 1, 5), log.entries(1, 5, 10));
        }
    }

    @Test
    void entriesReturnsAtMostCountMax() {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(entries(1, 1, 20));
            assertEquals(entries(1, 1, 5), log.entries(1, 20, 5));
            assertEquals(entries(1, 18, 20), log.entries(18, 100, 10));
            assertTrue(log.entries(3, 20, 0).isEmpty());
            assertTrue(log.entries(21, 30, 10).isEmpty());
        }
    }

    @Test
    void appendRejectsGapsBadCrcAndFallingEpochsWithoutWriting() {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.append(entries(2, 1, 3));
            Entry badCrc = entry(2, 4).toBuilder().setCrc(entry(2, 4).getCrc() + 1).build();
            assertThrows(IllegalStateException.class, () -> log.append(List.of(entry(2, 5))));
            assertThrows(CorruptEntryException.class, () -> log.append(List.of(entry(2, 4), badCrc.toBuilder().setIndex(5).build())));
            assertThrows(CorruptEntryException.class, () -> log.append(List.of(badCrc)));
            assertThrows(IllegalStateException.class, () -> log.append(List.of(entry(1, 4))));
            assertEquals(3, log.lastIndex());
        }
    }

    @Test
    void partialRecordAtTheTailIsDroppedAndEarlierEntriesSurvive() throws IOException {
        byte[] record = record(entry(1, 6));
        assertTornTailDropped(Arrays.copyOf(record, record.length / 2));
    }

    @Test
    void zeroedPageAtTheTailIsDropped() throws IOException {
        assertTornTailDropped(new byte[4096]);
    }

    @Test
    void garbageAtTheTailIsDropped() throws IOException {
        assertTornTailDropped(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
    }

    @Test
    void lastRecordWithBadCrcIsDropped() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.append(entries(1, 1, 5));
            log.sync();
        }
        Path segment = segmentFiles().get(0);
        flipByte(segment, Files.size(segment) - 1);
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(4, log.lastIndex());
            assertEquals(entries(1, 1, 4), log.entries(1, 10, 10));
        }
    }

    @Test
    void corruptByteInAnEarlierSegmentFailsOpenNamingFileAndOffset() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(entries(1, 1, 9));
            log.sync();
        }
        Path second = segmentFiles().get(1);
        assertEquals("00000000000000000003.log", second.getFileName().toString());
        flipByte(second, RECORD_BYTES + RECORD_BYTES / 2);
        StorageException thrown = assertThrows(StorageException.class, () -> new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES));
        assertTrue(thrown.getMessage().contains("00000000000000000003.log"), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("offset=" + RECORD_BYTES), thrown.getMessage());
        assertEquals(2 * RECORD_BYTES, Files.size(second), "open must not repair a segment that has a successor");
    }

    @Test
    void missingMiddleSegmentFailsOpen() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(entries(1, 1, 9));
            log.sync();
        }
        Files.delete(segmentFiles().get(1));
        StorageException thrown = assertThrows(StorageException.class, () -> new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES));
        assertTrue(thrown.getMessage().contains("00000000000000000005.log"), thrown.getMessage());
    }

    @Test
    void entriesOfANewEpochReplaceATruncatedSuffixAcrossReopen() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(entries(1, 1, 9));
            log.sync();
            log.truncateSuffix(4);
            assertEquals(3, log.lastIndex());
            assertEquals(List.of("00000000000000000001.log", "00000000000000000003.log"), segmentNames());
            log.append(entries(2, 4, 6));
            log.sync();
        }
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            assertEquals(6, log.lastIndex());
            assertEquals(1, log.epochAt(3));
            assertEquals(2, log.epochAt(4));
            List<Entry> expected = new ArrayList<>(entries(1, 1, 3));
            expected.addAll(entries(2, 4, 6));
            assertEquals(expected, log.entries(1, 10, 10));
            assertEquals(List.of("00000000000000000001.log", "00000000000000000003.log", "00000000000000000005.log"), segmentNames());
        }
    }

    @Test
    void truncateSuffixOfTheWholeLogLeavesItEmpty() {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.append(entries(1, 1, 3));
            log.truncateSuffix(1);
            assertEquals(0, log.lastIndex());
            log.append(entries(3, 1, 2));
        }
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(entries(3, 1, 2), log.entries(1, 10, 10));
        }
    }

    @Test
    void truncatePrefixDeletesWholeSegmentsAndTheEpochBeforeTheFirstIndexSurvivesReopen() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(epochedOneToNine());
            log.sync();
            log.truncatePrefix(7);
            assertPrefixTruncatedAtSix(log);
            log.sync();
        }
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            assertPrefixTruncatedAtSix(log);
            assertEquals(List.of("00000000000000000007.log", "00000000000000000009.log"), segmentNames());
        }
    }

    @Test
    void openFinishesAPrefixTruncationACrashCutShort() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(epochedOneToNine());
            log.sync();
        }
        Path first = segmentFiles().get(0);
        byte[] firstBytes = Files.readAllBytes(first);
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.truncatePrefix(6);
        }
        Files.write(first, firstBytes);
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            assertPrefixTruncatedAtSix(log);
            assertFalse(Files.exists(first));
        }
    }

    @Test
    void truncatePrefixOfEverythingThenAppendContinuesTheIndexes() {
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            log.append(epochedOneToNine());
            log.truncatePrefix(9);
            assertEquals(10, log.firstIndex());
            assertEquals(9, log.lastIndex());
            assertEquals(3, log.epochAt(9));
            log.append(entries(4, 10, 11));
            log.sync();
        }
        try (FileLogStorage log = new FileLogStorage(dir, TWO_RECORD_SEGMENT_BYTES)) {
            assertEquals(10, log.firstIndex());
            assertEquals(3, log.epochAt(9));
            assertEquals(entries(4, 10, 11), log.entries(10, 11, 10));
        }
    }

    @Test
    void hardStateSurvivesReopen() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.saveHardState(3, 2);
        }
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(3, log.currentEpoch());
            assertEquals(2, log.votedFor());
            log.saveHardState(4, -1);
        }
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(4, log.currentEpoch());
            assertEquals(-1, log.votedFor());
        }
        assertFalse(Files.exists(dir.resolve(LogDirectory.HARD_STATE_TEMP_FILE)));
    }

    @Test
    void secondVoteInTheSameEpochAndFallingEpochAreRefused() {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.saveHardState(5, 1);
            log.saveHardState(5, 1);
            assertThrows(IllegalStateException.class, () -> log.saveHardState(5, 2));
            assertThrows(IllegalStateException.class, () -> log.saveHardState(5, -1));
            assertThrows(IllegalStateException.class, () -> log.saveHardState(4, 1));
            assertEquals(1, log.votedFor());
        }
    }

    @Test
    void damagedHardStateFailsOpen() throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.saveHardState(3, 2);
        }
        flipByte(dir.resolve(LogDirectory.HARD_STATE_FILE), 12);
        assertThrows(StorageException.class, () -> new FileLogStorage(dir));
    }

    @Test
    void afterAFailedFsyncEverySyncFailsEvenWhenTheDiskRecovers() {
        AtomicBoolean diskFails = new AtomicBoolean();
        LogDirectory.Fsync fsync = (channel, metadata) -> {
            if (diskFails.get()) {
                throw new IOException("EIO (injected)");
            }
            channel.force(metadata);
        };
        try (FileLogStorage log = new FileLogStorage(dir, FileLogStorage.SEGMENT_BYTES_MAX_DEFAULT, fsync)) {
            log.append(entries(1, 1, 3));
            log.sync();
            log.append(entries(1, 4, 4));
            diskFails.set(true);
            assertThrows(StorageException.class, log::sync);
            diskFails.set(false);
            assertThrows(StorageException.class, log::sync);
            assertThrows(StorageException.class, () -> log.saveHardState(2, 1));
            assertThrows(StorageException.class, () -> log.append(entries(1, 5, 5)));
            assertEquals(entries(1, 1, 4), log.entries(1, 4, 10), "reads still serve what was written");
        }
    }

    @Test
    void constructorRejectsBadSegmentSize() {
        assertThrows(IllegalArgumentException.class, () -> new FileLogStorage(dir, 0));
        assertThrows(IllegalArgumentException.class, () -> new FileLogStorage(dir, FileLogStorage.SEGMENT_BYTES_MAX_LIMIT + 1));
    }

    private void assertTornTailDropped(byte[] tail) throws IOException {
        try (FileLogStorage log = new FileLogStorage(dir)) {
            log.append(entries(1, 1, 5));
            log.sync();
        }
        Path segment = segmentFiles().get(0);
        Files.write(segment, tail, StandardOpenOption.APPEND);
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(5, log.lastIndex());
            assertEquals(entries(1, 1, 5), log.entries(1, 10, 10));
            assertEquals(5 * RECORD_BYTES, Files.size(segment));
            log.append(entries(1, 6, 6));
            log.sync();
        }
        try (FileLogStorage log = new FileLogStorage(dir)) {
            assertEquals(entries(1, 1, 6), log.entries(1, 10, 10));
        }
    }

    private static void assertPrefixTruncatedAtSix(FileLogStorage log) {
        assertEquals(7, log.firstIndex());
        assertEquals(9, log.lastIndex());
        assertEquals(2, log.epochAt(6));
        assertEquals(3, log.epochAt(7));
        assertEquals(entries(3, 7, 9), log.entries(7, 9, 10));
        assertThrows(IllegalArgumentException.class, () -> log.entries(6, 9, 10));
    }

    /** Indexes 1-5 in epoch 1, 6 in epoch 2, 7-9 in epoch 3. */
    private static List<Entry> epochedOneToNine() {
        List<Entry> out = new ArrayList<>(entries(1, 1, 5));
        out.addAll(entries(2, 6, 6));
        out.addAll(entries(3, 7, 9));
        return out;
    }

    private static Entry entry(long epoch, long index) {
        return Entries.of(epoch, index, ByteString.copyFromUtf8(String.format("payload-%04d-%s", index, "x".repeat(16))));
    }

    private static List<Entry> entries(long epoch, long fromIndex, long toIndexInclusive) {
        List<Entry> out = new ArrayList<>();
        for (long index = fromIndex; index <= toIndexInclusive; index++) {
            out.add(entry(epoch, index));
        }
        return out;
    }

    private static byte[] record(Entry entry) {
        byte[] body = entry.toByteArray();
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x5a;
        Files.write(file, bytes);
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    private List<String> segmentNames() throws IOException {
        return segmentFiles().stream().map(file -> file.getFileName().toString()).toList();
    }
}

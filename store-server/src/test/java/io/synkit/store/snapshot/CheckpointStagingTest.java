package io.synkit.store.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.synkit.protocol.replication.SnapshotChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStagingTest {

    @TempDir
    Path dir;

    private static SnapshotChunk chunk(long number, String file, byte[] data, boolean done) {
        return SnapshotChunk.newBuilder().setSnapshotIndex(40).setSnapshotEpoch(3).setChunk(number).setFile(file)
                .setData(ByteString.copyFrom(data)).setDataCrc32C(CheckpointStaging.crc32c(ByteBuffer.wrap(data)))
                .setFileDone(true).setDone(done).build();
    }

    @Test
    void chunkDamagedInTransitIsRefusedAndTheStagedSnapshotDiscarded() throws Exception {
        CheckpointStaging staging = new CheckpointStaging(dir.resolve("snapshot-in"));
        byte[] first = "CURRENT-bytes".getBytes(StandardCharsets.UTF_8);
        assertTrue(staging.stage(chunk(0, "CURRENT", first, false)));

        SnapshotChunk sent = chunk(1, "000012.sst", "sst-bytes".getBytes(StandardCharsets.UTF_8), true);
        byte[] flipped = sent.getData().toByteArray();
        flipped[3] ^= 0x10;
        SnapshotChunk damaged = sent.toBuilder().setData(ByteString.copyFrom(flipped)).build();

        assertFalse(staging.stage(damaged), "a chunk whose bytes do not match its CRC32C must be refused");
        assertFalse(Files.exists(dir.resolve("snapshot-in").resolve("000012.sst")), "nothing of the damaged chunk is written");
        assertThrows(IllegalStateException.class, () -> staging.completed(40));

        // The primary starts over; the same snapshot sent intact stages completely.
        assertTrue(staging.stage(chunk(0, "CURRENT", first, false)));
        assertTrue(staging.stage(sent));
        assertArrayEquals(first, Files.readAllBytes(staging.completed(40).resolve("CURRENT")));
    }

    @Test
    void chunkWithoutACrcFromAnOlderPrimaryIsTakenUnchecked() {
        CheckpointStaging staging = new CheckpointStaging(dir.resolve("snapshot-in"));
        SnapshotChunk old = chunk(0, "CURRENT", new byte[] {1, 2, 3}, true).toBuilder().clearDataCrc32C().build();

        assertTrue(staging.stage(old));
        assertTrue(Files.exists(staging.completed(40).resolve("CURRENT")));
    }
}

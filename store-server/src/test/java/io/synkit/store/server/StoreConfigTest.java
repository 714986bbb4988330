package io.synkit.store.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

    @Test
    void everyBadKeyIsNamedWithItsValueInOneStartUpError() {
        ConfigException failure = assertThrows(ConfigException.class, () -> StoreConfig.from(Config.of(Map.of(
                "store.data.dir", "/tmp/unused",
                "store.io.threads", "0",
                "store.commit.wait.ms.max", "soon",
                "store.lease.ms", "5000",
                "store.snapshot.chunk.bytez", "1"))));
        String message = failure.getMessage();
        assertTrue(message.contains("store.io.threads=0"), message);
        assertTrue(message.contains("store.commit.wait.ms.max=soon"), message);
        assertTrue(message.contains("store.lease.ms=5000"), message);
        assertTrue(message.contains("store.snapshot.chunk.bytez"), message);
    }

    @Test
    void brokenCrossKeyRulesAreNamedTogether() {
        ConfigException failure = assertThrows(ConfigException.class, () -> StoreConfig.from(Config.of(Map.of(
                "store.data.dir", "/tmp/unused",
                "store.ring.size", "1000",
                "store.commit.wait.ms.max", "1500",
                "store.snapshot.chunk.bytes", String.valueOf(64 << 20)))));
        String message = failure.getMessage();
        assertTrue(message.contains("store.ring.size=1000 must be a power of two"), message);
        assertTrue(message.contains("store.commit.wait.ms.max=1500 must be > store.election.timeout.max.ms=2000"), message);
        assertTrue(message.contains("store.snapshot.chunk.bytes=67108864"), message);
    }

    @Test
    void replicationLimitsAreSettingsWithDefaultsFollowingTheirTimers() {
        StoreConfig config = StoreConfig.from(Config.of(Map.of(
                "store.data.dir", "/tmp/unused",
                "store.heartbeat.interval.ms", "200",
                "store.election.timeout.max.ms", "3000",
                "store.inflight.entries.max", "32",
                "store.tick.interval.ms", "10")));
        assertEquals(600, config.replication().snapshotResendMs(), "3 heartbeats");
        assertEquals(30_000, config.replication().snapshotStallMs(), "10 maximum election timeouts");
        assertEquals(32, config.replication().inflightEntriesMax());
        assertEquals(10, config.replication().tickIntervalMs());
        assertEquals(1000, config.replication().sendTimeoutMs());
        assertEquals(1 << 20, config.replication().snapshotChunkBytes());
        assertEquals(30_000, config.commitWaitMsMax());
        assertEquals(2, config.ioThreads());
    }

    @Test
    void theLogsSegmentSizeIsASettingWithinItsBounds() {
        assertEquals(64L << 20, StoreConfig.from(Config.of(Map.of("store.data.dir", "/tmp/unused"))).logRetention().segmentBytesMax());
        assertEquals(65_536, StoreConfig.from(Config.of(Map.of("store.data.dir", "/tmp/unused", "store.log.segment.bytes.max", "65536")))
                .logRetention().segmentBytesMax());
        ConfigException tooSmall = assertThrows(ConfigException.class, () -> StoreConfig.from(Config.of(Map.of(
                "store.data.dir", "/tmp/unused", "store.log.segment.bytes.max", "100"))));
        assertTrue(tooSmall.getMessage().contains("store.log.segment.bytes.max=100"), tooSmall.getMessage());
    }
}

package io.synkit.access.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.access.health.HealthSettings;
import io.synkit.access.link.LinkSettings;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every access setting is named, has the documented default, and a bad value stops the start naming key and value. */
class AccessConfigTest {

    private static AccessConfig read(String... keyValues) {
        Map<String, String> values = new HashMap<>(Map.of("access.logic.nodes", "127.0.0.1:7200"));
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return AccessConfig.from(Config.of(values));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        AccessConfig config = read();
        LinkSettings link = config.link();
        assertEquals(new LinkSettings(30_000, 90_000, 10_000, 64, 1 << 20, 4096, 32 * 1024, 128 * 1024, 2 << 20, 30_000, 1000, 4096, 1000, 4096, 300_000), link);
        assertEquals(new HealthSettings(1000, 2000, 60_000, 5000, 2000, Long.MAX_VALUE, "ready-probe"), config.health());
        assertEquals(List.of("127.0.0.1:7200"), config.logicNodes());
        assertEquals(4096, config.listenBacklogConnections());
        assertEquals(20_000, config.logicTimeoutMs());
        assertEquals(100_000, config.logicInflightCallsMax());
        assertEquals(10_000, config.drainTimeoutMs());
        assertEquals(500, config.drainRetryAfterMinMs());
        assertEquals(250, config.drainGoAwayBatchLinks());
        assertEquals(100, config.drainGoAwayBatchIntervalMs());
        assertEquals(1024, config.authInflightMax());
        assertEquals(0, config.redirectAboveLinks());
        assertEquals(List.of(), config.peerAddresses());
        assertEquals(2, config.ioThreads());
        assertEquals(2, config.health().stallUnreadyTicks());
        assertEquals(60, config.health().stallExitTicks());
    }

    @ParameterizedTest
    @CsvSource({
            "access.inflight.max, 10001",
            "access.auth.frame.bytes.max, 512",
            "access.link.outbound.bytes.max, 100",
            "access.link.unwritable.timeout.ms, 0",
            "access.link.sweep.interval.ms, 0",
            "access.link.read.buffer.bytes, 64",
            "access.links.unauthenticated.max, 0",
            "access.links.refused.retry.after.ms, -1",
            "access.listen.backlog.connections, 0",
            "access.logic.inflight.calls.max, 0",
            "access.drain.retry.after.min.ms, -5",
            "access.drain.goaway.batch.links, 0",
            "access.auth.inflight.max, 0",
            "access.redirect.above.links, -1",
            "access.peer.addresses, 10.0.0.2",
            "access.peer.addresses, '10.0.0.2:7100,10.0.0.3:99999'",
            "access.loop.probe.interval.ms, 1",
            "access.loop.stall.exit.ms, 1",
            "access.ready.probe.interval.ms, 5",
            "access.ready.probe.timeout.ms, 1",
            "access.ready.probe.user.id, 0",
    })
    void aValueOutOfRangeNamesItsKeyAndValue(String key, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> read(key, value));
        assertTrue(e.getMessage().contains(key + "=" + value), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "access.auth.frame.bytes.max=8192,access.frame.bytes.max=4096 | access.auth.frame.bytes.max=8192 | access.frame.bytes.max=4096",
            "access.write.buffer.low.bytes=65536,access.write.buffer.high.bytes=65536 | access.write.buffer.low.bytes=65536 | access.write.buffer.high.bytes=65536",
            "access.link.outbound.bytes.max=1048576 | access.link.outbound.bytes.max=1048576 | access.frame.bytes.max=1048576",
            "access.link.sweep.interval.ms=5000,access.auth.timeout.ms=2000 | access.link.sweep.interval.ms=5000 | access.auth.timeout.ms=2000",
            "access.idle.timeout.ms=1000,access.heartbeat.interval.ms=800 | access.idle.timeout.ms=1000 | access.heartbeat.interval.ms=800",
            "access.loop.stall.unready.ms=500,access.loop.probe.interval.ms=1000 | access.loop.stall.unready.ms=500 | access.loop.probe.interval.ms=1000",
            "access.loop.stall.exit.ms=2000 | access.loop.stall.exit.ms=2000 | access.loop.stall.unready.ms=2000",
            "access.ready.probe.device.id=no spaces | access.ready.probe.device.id=no spaces | [A-Za-z0-9_.-]",
    })
    void aRuleAcrossKeysNamesEveryKeyWithItsValue(String settings, String names, String alsoNames) {
        List<String> keyValues = new ArrayList<>();
        for (String setting : settings.split(",")) {
            keyValues.add(setting.substring(0, setting.indexOf('=')));
            keyValues.add(setting.substring(setting.indexOf('=') + 1));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> read(keyValues.toArray(String[]::new)));
        assertTrue(e.getMessage().contains(names) && e.getMessage().contains(alsoNames), e.getMessage());
    }

    @Test
    void anUnknownKeyStopsTheStart() {
        ConfigException e = assertThrows(ConfigException.class, () -> read("access.link.outbound.max", "1"));
        assertTrue(e.getMessage().contains("unknown key(s): access.link.outbound.max"), e.getMessage());
    }
}

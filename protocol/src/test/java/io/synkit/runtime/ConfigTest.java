package io.synkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("synkit.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    private static String[] args(String... args) {
        return args;
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        Path file = file("store.a=1", "store.b=1", "store.c=1");
        Map<String, String> env = Map.of("SYNKIT_STORE_B", "2", "SYNKIT_STORE_C", "2");

        Config config = Config.load(args("--config=" + file, "--store.c=3"), env);

        assertEquals(1, config.integer("store.a", 0, 0, 10));
        assertEquals(2, config.integer("store.b", 0, 0, 10));
        assertEquals(3, config.integer("store.c", 0, 0, 10));
        assertEquals(4, config.integer("store.d", 4, 0, 10));
        config.checkNoUnknownKeys();
    }

    @Test
    void configFileCanBeNamedByEnvironment() throws IOException {
        Path file = file("store.port=7301");

        Config config = Config.load(args(), Map.of("SYNKIT_CONFIG", file.toString()));

        assertEquals(7301, config.integer("store.port", 1, 1, 65535));
        config.checkNoUnknownKeys();
    }

    @Test
    void unreadableConfigFileNamesTheFile() {
        Path missing = dir.resolve("missing.properties");

        ConfigException failure = assertThrows(ConfigException.class, () -> Config.load(args("--config=" + missing), Map.of()));

        assertTrue(failure.getMessage().contains(missing.toString()), failure.getMessage());
    }

    @Test
    void environmentOutsideOurPrefixIsIgnored() {
        Config config = Config.load(args(), Map.of("PATH", "/bin", "HOME", "/root", "SYNKIT_STORE_PORT", "7301"));

        assertEquals(7301, config.integer("store.port", 1, 1, 65535));
        config.checkNoUnknownKeys();
    }

    @Test
    void badIntegerNamesKeyValueAndSource() throws IOException {
        Config config = Config.load(args("--config=" + file("store.port=73o1")), Map.of());

        ConfigException failure = assertThrows(ConfigException.class, () -> config.integer("store.port", 1, 1, 65535));

        assertTrue(failure.getMessage().contains("store.port=73o1"), failure.getMessage());
        assertTrue(failure.getMessage().contains("file"), failure.getMessage());
    }

    @Test
    void outOfRangeValueNamesKeyValueAndRange() {
        Config config = Config.load(args("--store.port=70000"), Map.of());

        ConfigException failure = assertThrows(ConfigException.class, () -> config.integer("store.port", 1, 1, 65535));

        assertTrue(failure.getMessage().contains("store.port=70000"), failure.getMessage());
        assertTrue(failure.getMessage().contains("[1, 65535]"), failure.getMessage());
        assertTrue(failure.getMessage().contains("--store.port"), failure.getMessage());
    }

    @Test
    void valueAboveIntRangeIsRefusedNotTruncated() {
        Config config = Config.load(args("--store.ring.size=4294968320"), Map.of());

        ConfigException failure = assertThrows(ConfigException.class, () -> config.integer("store.ring.size", 1024, 1, Integer.MAX_VALUE));

        assertTrue(failure.getMessage().contains("4294968320"), failure.getMessage());
    }

    @Test
    void outOfRangeDefaultIsRefusedToo() {
        Config config = Config.of(Map.of());

        assertThrows(ConfigException.class, () -> config.integer("store.port", 0, 1, 65535));
    }

    @Test
    void underscoresGroupDigits() {
        Config config = Config.load(args("--store.ring.size=65_536"), Map.of("SYNKIT_STORE_LEASE_MS", " 1_500 "));

        assertEquals(65_536, config.integer("store.ring.size", 1024, 1, 1 << 20));
        assertEquals(1_500, config.longValue("store.lease.ms", 1, 1, 10_000));
    }

    @Test
    void unknownKeyIsNamedWithItsSource() {
        Config config = Config.load(args("--store.port=7301", "--store.prot=7302"), Map.of());
        config.integer("store.port", 1, 1, 65535);

        ConfigException failure = assertThrows(ConfigException.class, config::checkNoUnknownKeys);

        assertTrue(failure.getMessage().contains("store.prot (from flag --store.prot)"), failure.getMessage());
        assertFalse(failure.getMessage().contains("store.port"), failure.getMessage());
    }

    @Test
    void flagsMustBeDashDashKeyEqualsValue() {
        for (String arg : new String[] {"store.port=7301", "-store.port=7301", "--store.port", "--=7301", "--a"}) {
            ConfigException failure = assertThrows(ConfigException.class, () -> Config.load(args(arg), Map.of()), arg);
            assertTrue(failure.getMessage().contains("--key=value") && failure.getMessage().contains(arg), failure.getMessage());
        }
    }

    @Test
    void booleanAcceptsOnlyTrueOrFalse() {
        Config config = Config.load(args("--a.on=TRUE", "--a.off=false", "--a.bad=yes"), Map.of());

        assertTrue(config.bool("a.on", false));
        assertFalse(config.bool("a.off", true));
        ConfigException failure = assertThrows(ConfigException.class, () -> config.bool("a.bad", false));
        assertTrue(failure.getMessage().contains("a.bad=yes"), failure.getMessage());
    }

    @Test
    void missingRequiredKeyNamesEveryWayToSetIt() {
        Config config = Config.load(args("--store.set.id="), Map.of());

        ConfigException failure = assertThrows(ConfigException.class, () -> config.requiredString("store.set.id"));

        assertTrue(failure.getMessage().contains("SYNKIT_STORE_SET_ID") && failure.getMessage().contains("--store.set.id"), failure.getMessage());
    }
}

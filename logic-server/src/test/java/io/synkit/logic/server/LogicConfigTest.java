package io.synkit.logic.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that only make sense together are checked together at start-up. */
class LogicConfigTest {

    @Test
    void outboxDoneFlushNotBelowTheRedriversMinimumAgeIsRefusedNamingBothKeys() {
        Config config = Config.of(Map.of("logic.store.sets", "s1=127.0.0.1:7300", "logic.outbox.done.flush.ms", "2000",
                "logic.outbox.min.age.ms", "2000"));

        ConfigException refused = assertThrows(ConfigException.class, () -> LogicConfig.from(config));

        assertEquals("config: logic.outbox.done.flush.ms=2000 must be < logic.outbox.min.age.ms=2000 (else the re-driver repeats fan-outs"
                + " whose marks wait for their batch)", refused.getMessage());
    }
}

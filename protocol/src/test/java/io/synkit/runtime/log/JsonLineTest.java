package io.synkit.runtime.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class JsonLineTest {

    private static final Instant AT = Instant.parse("2026-11-30T05:34:07.123456Z");

    @Test
    void aLineIsOneJsonObjectStartingWithItsUtcMillisecondTimestampWithTheMessagesPairsAsFields() {
        String line = JsonLine.format(AT, "INFO", "io.synkit.store.replication.ReplicaLoop", "replica-loop",
                "replica role changed set=s1 replica=0 from=BACKUP/4 to=PRIMARY/5 reason=\"lost its \\\"primary\\\"\"", Map.of("request", "77"), null);

        assertTrue(line.startsWith("{\"ts\":\"2026-11-30T05:34:07.123Z\",\"level\":\"INFO\",\"logger\":\"io.synkit.store.replication.ReplicaLoop\","
                + "\"thread\":\"replica-loop\",\"msg\":\"replica role changed set=s1"), line);
        assertTrue(line.contains(",\"set\":\"s1\",\"replica\":\"0\",\"from\":\"BACKUP/4\",\"to\":\"PRIMARY/5\""), line);
        assertTrue(line.contains(",\"reason\":\"lost its \\\\\\\"primary\\\\\\\"\""), line);
        assertTrue(line.endsWith(",\"request\":\"77\"}"), "the MDC's correlation ids follow: " + line);
        assertFalse(line.contains("\n"), "one line");
    }

    @Test
    void secretsNeverReachALineNeitherInTheMessageNorInAField() {
        String line = JsonLine.format(AT, "WARN", "io.synkit.access", "io", "auth failed user=42 device=phone token=eyJhbGciOi.secret-part",
                Map.of("auth_keys", "k1:0123456789abcdef0123456789abcdef"), new IllegalStateException("bad token=abc.def"));

        assertFalse(line.contains("eyJhbGciOi") || line.contains("secret-part") || line.contains("0123456789abcdef") || line.contains("abc.def"), line);
        assertTrue(line.contains("token=[redacted]") && line.contains("\"token\":\"[redacted]\"") && line.contains("\"auth_keys\":\"[redacted]\""), line);
        assertTrue(line.contains("\"user\":\"42\",\"device\":\"phone\""), "the correlation ids stay: " + line);
        assertTrue(line.contains("\"error\":\"java.lang.IllegalStateException: bad token=[redacted]\\n\\tat "), line);
    }

    @Test
    void levelsChangeAtRunTimeByLoggerPrefixTheLongestWinning() {
        JsonLogger replica = new JsonLogger("io.synkit.store.replication.ReplicaNode");
        JsonLogger access = new JsonLogger("io.synkit.access.link.ClientLink");
        assertFalse(replica.isDebugEnabled());

        LogLevels.set("io.synkit.store", Level.DEBUG);
        LogLevels.set("io.synkit.store.replication.ReplicaNode", Level.WARN);
        try {
            assertTrue(new JsonLogger("io.synkit.store.write.WritePipeline").isDebugEnabled());
            assertFalse(replica.isInfoEnabled(), "the longer prefix wins");
            assertFalse(access.isDebugEnabled(), "other loggers keep the root level");
            assertTrue(LogLevels.describe().startsWith("root=INFO io.synkit.store=DEBUG"), LogLevels.describe());
        } finally {
            LogLevels.set("io.synkit.store", Level.INFO);
            LogLevels.set("io.synkit.store.replication.ReplicaNode", Level.INFO);
        }
    }
}

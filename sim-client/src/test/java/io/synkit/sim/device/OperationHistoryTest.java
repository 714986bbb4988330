package io.synkit.sim.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synkit.sim.device.OperationHistory.Operation;
import io.synkit.sim.device.OperationHistory.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperationHistoryTest {

    @TempDir
    Path dir;

    @Test
    void writesOneJsonObjectPerOperationInInvocationOrderWithTimesSinceTheStart() throws IOException {
        OperationHistory history = new OperationHistory(1_000_000_000L);
        Map<String, Object> sync = new LinkedHashMap<>();
        sync.put("from_seq", 4L);
        history.add(new Operation("sync", 7, "tab\"let", 1_005_000_000L, 1_009_500_000L, Outcome.UNKNOWN, "TIMEOUT: no answer", sync));
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("conv", "d:7:8");
        send.put("attempt", 1);
        history.add(new Operation("send", 7, "phone", 1_002_000_000L, 1_003_250_000L, Outcome.OK, null, send));

        Path file = dir.resolve(OperationHistory.FILE);
        history.writeJsonLines(file);

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertEquals("send", first.get("type").asText());
        assertEquals(2.0, first.get("invoke_ms").asDouble());
        assertEquals(3.25, first.get("complete_ms").asDouble());
        assertEquals("ok", first.get("outcome").asText());
        assertEquals("d:7:8", first.get("conv").asText());
        JsonNode second = json.readTree(lines.get(1));
        assertEquals("info", second.get("outcome").asText(), "a timed-out request may have happened: Jepsen's info");
        assertEquals("tab\"let", second.get("device").asText());
        assertEquals("TIMEOUT: no answer", second.get("error").asText());
        assertEquals(4, second.get("from_seq").asLong());
    }
}

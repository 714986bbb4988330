package io.synkit.sim.device;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every client operation of a run, one record per request a device put on the wire: each send
 * attempt and each sync, with the device, when it was invoked and completed (ms since the run's
 * start) and how it ended: {@code ok}, {@code fail} (refused: it did not happen) or {@code info}
 * (timed out or the link dropped: it may or may not have happened), as in a Jepsen history.
 * Written as one JSON object per line for tools; thread-safe, appended to by every device.
 */
public final class OperationHistory {

    public static final String FILE = "history.jsonl";

    /** How a request ended. */
    public enum Outcome {
        OK("ok"), FAILED("fail"), UNKNOWN("info");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * @param type {@code send} or {@code sync}
     * @param error the error code and message when not ok, else null
     * @param fields type-specific fields in order (numbers and strings)
     */
    public record Operation(String type, long userId, String deviceId, long invokeNanos, long completeNanos, Outcome outcome, String error,
                            Map<String, Object> fields) {
    }

    private final long startNanos;
    private final ConcurrentLinkedQueue<Operation> operations = new ConcurrentLinkedQueue<>();

    public OperationHistory(long startNanos) {
        this.startNanos = startNanos;
    }

    public void add(Operation operation) {
        operations.add(operation);
    }

    public List<Operation> operations() {
        return new ArrayList<>(operations);
    }

    /** Writes the history, ordered by invocation time. */
    public void writeJsonLines(Path file) throws IOException {
        List<Operation> ordered = operations();
        ordered.sort((a, b) -> Long.compare(a.invokeNanos(), b.invokeNanos()));
        ObjectWriter writer = new ObjectMapper().writer();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Operation operation : ordered) {
                out.write(writer.writeValueAsString(json(operation)));
                out.newLine();
            }
        }
    }

    private Map<String, Object> json(Operation operation) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", operation.type());
        line.put("user", operation.userId());
        line.put("device", operation.deviceId());
        line.put("invoke_ms", ms(operation.invokeNanos()));
        line.put("complete_ms", ms(operation.completeNanos()));
        line.put("outcome", operation.outcome().label());
        if (operation.error() != null) {
            line.put("error", operation.error());
        }
        line.putAll(operation.fields());
        return line;
    }

    private double ms(long nanos) {
        return Math.round((nanos - startNanos) / 1e3) / 1e3;
    }
}

package io.synkit.ops.release;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The release records of a local cluster: one JSON file per release in {@code <cluster>/releases/}, oldest first by id. */
public final class ReleaseRecords {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public ReleaseRecords(Path clusterDir) {
        this.dir = clusterDir.resolve("releases");
    }

    Path dir() {
        return dir;
    }

    /** Writes (or rewrites, as the release goes on) the record; returns its file. */
    public Path save(ReleaseRecord record) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(record.id() + ".json");
        Path partial = dir.resolve(record.id() + ".json.tmp");
        JSON.writeValue(partial.toFile(), record);
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    public List<ReleaseRecord> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ReleaseRecord> records = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                records.add(JSON.readValue(file.toFile(), ReleaseRecord.class));
            }
        }
        return records;
    }

    /** What {@code ops release list} prints: a header, then one line per release, oldest first. */
    public List<String> table() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-26s %-12s %-12s %-6s %-24s %s", "id", "who", "target", "steps", "to", "outcome"));
        for (ReleaseRecord record : list()) {
            lines.add(String.format(Locale.ROOT, "%-26s %-12s %-12s %-6s %-24s %s", record.id(), record.who(), record.target(),
                    record.steps().size() + (record.rollback().isEmpty() ? "" : "+" + record.rollback().size()), record.to().split(" ")[0],
                    record.outcome()));
        }
        return lines;
    }
}

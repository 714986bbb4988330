package io.synkit.ops.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What one start of a node wrote to its log (a log is appended to by every start of the node). */
final class LogTail {

    /** Bytes read from the end at most: a node that fails at start writes far less. */
    static final int BYTES_MAX = 64 * 1024;

    private LogTail() {
    }

    /** The log's size now: the offset from which the next start's output is read. */
    static long offset(Path log) throws IOException {
        return Files.exists(log) ? Files.size(log) : 0;
    }

    /** The lines written since {@code offset}, at most the last {@link #BYTES_MAX} bytes of them. */
    static List<String> linesSince(Path log, long offset) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(offset, file.length() - BYTES_MAX);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** The last {@code count} lines written since {@code offset}, indented, for an error message. */
    static String last(Path log, long offset, int count) {
        try {
            List<String> lines = linesSince(log, offset);
            if (lines.isEmpty()) {
                return "  (nothing written to " + log + ")";
            }
            StringBuilder tail = new StringBuilder("last lines of " + log + ":");
            lines.subList(Math.max(0, lines.size() - count), lines.size()).forEach(line -> tail.append("\n  ").append(line));
            return tail.toString();
        } catch (IOException e) {
            return "  (cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}

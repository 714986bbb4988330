package io.synkit.ops.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A running process's command line. On Linux it is read from {@code /proc/<pid>/cmdline}:
 * {@link ProcessHandle.Info#arguments()} gives nothing there once the command line exceeds a page
 * (4 KiB), and a node's class path alone is longer than that when it runs from a build tree.
 */
final class ProcessArguments {

    private ProcessArguments() {
    }

    /** The command and its arguments; empty when the process is gone or its command line cannot be read. */
    static Optional<List<String>> of(ProcessHandle process) {
        Path procFile = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        if (Files.isReadable(procFile)) {
            try {
                String raw = new String(Files.readAllBytes(procFile), StandardCharsets.UTF_8);
                return raw.isEmpty() ? Optional.empty() : Optional.of(List.of(raw.split("\0")));
            } catch (IOException e) {
                return Optional.empty(); // exited meanwhile
            }
        }
        return process.info().arguments().map(Arrays::asList);
    }
}

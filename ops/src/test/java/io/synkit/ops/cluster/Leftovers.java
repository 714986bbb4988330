package io.synkit.ops.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The processes a cluster directory's pid files name, for tests that prove none is left and clean up if one is. */
final class Leftovers {

    private Leftovers() {
    }

    /** Processes still running that a pid file in {@code dir} names and whose command line points into {@code dir}. */
    static List<ProcessHandle> running(Path dir) throws IOException {
        List<ProcessHandle> running = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return running;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path pidFile : files.filter(file -> file.getFileName().toString().endsWith(".pid")).toList()) {
                Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
                process.filter(ProcessHandle::isAlive).filter(handle -> pointsInto(handle, dir)).ifPresent(running::add);
            }
        }
        return running;
    }

    /** SIGKILL to every process {@link #running} finds: the safety net after a test that may have failed midway. */
    static void kill(Path dir) throws IOException {
        for (ProcessHandle process : running(dir)) {
            process.destroyForcibly();
            process.onExit().join();
        }
    }

    private static boolean pointsInto(ProcessHandle process, Path dir) {
        String dirName = dir.toString();
        return ProcessArguments.of(process).map(args -> args.stream().anyMatch(arg -> arg.contains(dirName))).orElse(false);
    }
}

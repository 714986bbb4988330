package io.synkit.ops.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Scheduler states of a local process's threads, read from Linux's {@code /proc/<pid>/task/<tid>/stat}. */
final class ProcessStates {

    private ProcessStates() {
    }

    /**
     * Returns once every thread of {@code pid} is stopped by a signal (state {@code T}).
     *
     * @throws IOException when that takes longer than {@code timeoutMs}, or the process is gone
     */
    static void awaitStopped(long pid, long timeoutMs) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!allStopped(pid)) {
            if (System.nanoTime() > deadlineNs) {
                throw new IOException("process " + pid + " did not stop within " + timeoutMs + " ms of SIGSTOP");
            }
            Thread.sleep(1); // the kernel stops each thread as it next runs: a matter of microseconds
        }
    }

    private static boolean allStopped(long pid) throws IOException {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                if (state(task.resolve("stat")) != 'T') {
                    return false;
                }
            }
            return true;
        } catch (NoSuchFileException e) {
            throw new IOException("process " + pid + " is gone", e);
        }
    }

    /** The state letter: the field after the parenthesised command name, which may itself hold ') '. */
    private static char state(Path stat) throws IOException {
        String line;
        try {
            line = Files.readString(stat);
        } catch (NoSuchFileException e) {
            return 'T'; // the thread exited meanwhile: it answers nothing
        }
        int end = line.lastIndexOf(") ");
        if (end < 0 || end + 2 >= line.length()) {
            throw new IOException("unexpected format of " + stat + ": " + line);
        }
        return line.charAt(end + 2);
    }
}

package io.synkit.store.disk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A really small filesystem for full-disk tests: a tmpfs the test mounts (skipped with the reason where that is not permitted). */
final class SmallDisk {

    private SmallDisk() {
    }

    /** Mounts a tmpfs of {@code megabytes} at {@code dir/small-disk} and returns it; unmount with {@link #unmount}. */
    static Path mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Path disk = dir.resolve("small-disk");
        Files.createDirectories(disk);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        String mountOutput = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor() == 0, "needs root and permission to mount a tmpfs: " + mountOutput.trim());
        return disk;
    }

    static void unmount(Path disk) throws IOException, InterruptedException {
        new ProcessBuilder("umount", disk.toString()).start().waitFor();
    }
}

package io.synkit.ops.process;

import io.synkit.runtime.BuildInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** "A new build" for release tests: this worktree's packaged server jars with another version written into them. */
public final class NextBuild {

    private static final Path JARS = Path.of("..");

    private NextBuild() {
    }

    /**
     * A build directory: this worktree's packaged jars ({@code mvn package} runs before the ops
     * tests in the reactor) with {@code version} written into each one's build.properties.
     */
    public static Path jars(Path buildDir, String version) throws IOException {
        Files.createDirectories(buildDir);
        for (String jar : List.of("store-server", "logic-server", "access-server")) {
            Path packaged = JARS.resolve(jar).resolve("target").resolve(jar + "-all.jar");
            if (!Files.isRegularFile(packaged)) {
                throw new IOException(packaged + " is missing: package the servers first (mvn -o -q -DskipTests package)");
            }
            Path copy = buildDir.resolve(jar + "-all.jar");
            Files.copy(packaged, copy);
            try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + copy.toUri()), Map.of())) {
                try (OutputStream out = Files.newOutputStream(zip.getPath("io/synkit/runtime/build.properties"))) {
                    out.write(("build.version=" + version + "\nprotocol.version=" + BuildInfo.current().protocolVersion() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return buildDir;
    }
}

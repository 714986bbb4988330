package io.synkit.ops.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build each node of a local cluster starts with: the class path in {@code <node>.classpath}
 * when a release put one there, else the class path of the {@code ops} JVM (the build that laid the
 * cluster out). A change takes effect at the node's next start.
 */
public final class NodeBuilds {

    private static final String SUFFIX = ".classpath";

    private final Path dir;

    NodeBuilds(Path dir) {
        this.dir = dir;
    }

    /** The class path {@code node} starts with. */
    public String classPath(String node) throws IOException {
        Path file = dir.resolve(node + SUFFIX);
        return Files.exists(file) ? Files.readString(file).trim() : System.getProperty("java.class.path");
    }

    /** {@code node} starts with {@code classPath} from now on; null or the ops JVM's own: the default again. */
    public void use(String node, String classPath) throws IOException {
        Path file = dir.resolve(node + SUFFIX);
        if (classPath == null || classPath.equals(System.getProperty("java.class.path"))) {
            Files.deleteIfExists(file);
        } else {
            Files.writeString(file, classPath);
        }
    }
}

package io.synkit.ops.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build each node of a local cluster starts with: the class path in {@code <node>.classpath}
 * when a release put one there, else the default: the ops JVM's system property
 * {@code synkit.cluster.classpath} when set (another build's jar there lets one benchmark run
 * compare two builds of the servers, A/B on the same machine in the same minutes), or the class path
 * of the {@code ops} JVM (the build that laid the cluster out). A change takes effect at the node's
 * next start.
 */
public final class NodeBuilds {

    private static final String SUFFIX = ".classpath";
    private static final String DEFAULT_CLASSPATH_PROPERTY = "synkit.cluster.classpath";

    private final Path dir;

    NodeBuilds(Path dir) {
        this.dir = dir;
    }

    /** The class path {@code node} starts with. */
    public String classPath(String node) throws IOException {
        Path file = dir.resolve(node + SUFFIX);
        return Files.exists(file) ? Files.readString(file).trim() : defaultClassPath();
    }

    /** {@code node} starts with {@code classPath} from now on; null or the default class path: the default again. */
    public void use(String node, String classPath) throws IOException {
        Path file = dir.resolve(node + SUFFIX);
        if (classPath == null || classPath.equals(defaultClassPath())) {
            Files.deleteIfExists(file);
        } else {
            Files.writeString(file, classPath);
        }
    }

    private static String defaultClassPath() {
        String configured = System.getProperty(DEFAULT_CLASSPATH_PROPERTY);
        return configured == null || configured.isBlank() ? System.getProperty("java.class.path") : configured;
    }
}

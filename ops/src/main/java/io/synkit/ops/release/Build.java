package io.synkit.ops.release;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A build a release moves nodes to: a directory holding the runnable jars {@code mvn package}
 * makes ({@code store-server-all.jar}, {@code logic-server-all.jar}, {@code access-server-all.jar}).
 * Its version is the one its store jar reports ({@code io/synkit/runtime/build.properties}).
 *
 * @param version the build's version, as its nodes will report it on /status
 */
public record Build(Path dir, String version, int protocolVersion) {

    private static final String BUILD_PROPERTIES = "io/synkit/runtime/build.properties";

    /** Reads the build in {@code dir}; throws naming what is missing. */
    public static Build of(Path dir) throws IOException {
        for (Role role : Role.values()) {
            if (!Files.isRegularFile(dir.resolve(role.jar))) {
                throw new IOException("build " + dir + " has no " + role.jar + " (a build directory holds the *-all.jar files mvn package makes)");
            }
        }
        try (ZipFile jar = new ZipFile(dir.resolve(Role.STORE.jar).toFile())) {
            ZipEntry entry = jar.getEntry(BUILD_PROPERTIES);
            if (entry == null) {
                throw new IOException(dir.resolve(Role.STORE.jar) + " has no " + BUILD_PROPERTIES + ": a build too old to report its version");
            }
            Properties properties = new Properties();
            try (InputStream in = jar.getInputStream(entry)) {
                properties.load(in);
            }
            return new Build(dir.toAbsolutePath(), properties.getProperty("build.version"), Integer.parseInt(properties.getProperty("protocol.version")));
        }
    }

    /** The class path a node of {@code role} runs this build with. */
    public String classPath(Role role) {
        return dir.resolve(role.jar).toString();
    }

    /** What a node runs, by its name in a local cluster. */
    public enum Role {
        STORE("store-server-all.jar"),
        LOGIC("logic-server-all.jar"),
        ACCESS("access-server-all.jar");

        final String jar;

        Role(String jar) {
            this.jar = jar;
        }

        /** {@code s<set>-r<i>} and {@code meta-r<i>} are store replicas, {@code logic} logic, {@code access…} access. */
        public static Role of(String node) {
            if (node.equals("logic")) {
                return LOGIC;
            }
            return node.startsWith("access") ? ACCESS : STORE;
        }
    }

    @Override
    public String toString() {
        return version + "/" + protocolVersion + " (" + dir + ")";
    }
}

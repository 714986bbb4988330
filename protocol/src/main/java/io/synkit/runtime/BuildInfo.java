package io.synkit.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Which build a process runs and which version of the internal protocol it speaks, from the
 * {@code io/synkit/runtime/build.properties} the build writes (first on the class path wins, so a
 * build assembled for a release can carry its own). Every server reports both on {@code /status}
 * and as the {@code synkit_build_info} metric, so an operator sees mixed versions during a release.
 *
 * @param version the build's version (the Maven project version unless a release build overrides it)
 * @param protocolVersion raised when the internal protocol gains a message, field or op kind peers act on
 */
public record BuildInfo(String version, int protocolVersion) {

    private static final String RESOURCE = "/io/synkit/runtime/build.properties";
    private static final BuildInfo CURRENT = load();

    public BuildInfo {
        if (version == null || version.isBlank() || version.contains(" ")) {
            throw new IllegalArgumentException("build version '" + version + "' must be one word");
        }
        if (protocolVersion < 1) {
            throw new IllegalArgumentException("protocolVersion=" + protocolVersion + " must be >= 1");
        }
    }

    /** This process's build. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** The key=value pairs a status line carries: {@code version=0.1.0 protocol=1}. */
    public String statusPairs() {
        return "version=" + version + " protocol=" + protocolVersion;
    }

    private static BuildInfo load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path: the build did not write it");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new BuildInfo(properties.getProperty("build.version"), Integer.parseInt(properties.getProperty("protocol.version")));
    }
}

package io.synkit.protocol.rpc;

import io.synkit.runtime.Clock;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A server's internal mutual TLS settings, the same keys under each server's prefix:
 * {@code <prefix>.tls.cert.file}, {@code .key.file}, {@code .ca.file} (PEM; all three or none:
 * none = plain TCP, the local demo's default) and {@code .reload.check.ms} (how often, at most,
 * a new connection checks the files for a change).
 */
public record TlsFiles(String certFile, String keyFile, String caFile, long reloadCheckMs) {

    /** Reads the keys of {@code prefix} ({@code store}, {@code logic}, {@code access.internal}); throws naming the keys when only some are set. */
    public static TlsFiles read(Config config, String prefix) {
        TlsFiles files = new TlsFiles(config.string(prefix + ".tls.cert.file", ""), config.string(prefix + ".tls.key.file", ""),
                config.string(prefix + ".tls.ca.file", ""), config.longValue(prefix + ".tls.reload.check.ms", 5000, 100, 3_600_000));
        int set = (files.certFile.isEmpty() ? 0 : 1) + (files.keyFile.isEmpty() ? 0 : 1) + (files.caFile.isEmpty() ? 0 : 1);
        if (set != 0 && set != 3) {
            throw new ConfigException("config: " + prefix + ".tls.cert.file, " + prefix + ".tls.key.file and " + prefix
                    + ".tls.ca.file go together (all three for mutual TLS, none for plain TCP); got cert='" + files.certFile + "' key='"
                    + files.keyFile + "' ca='" + files.caFile + "'");
        }
        return files;
    }

    public boolean enabled() {
        return !certFile.isEmpty();
    }

    /** The TLS of this server's RPC port and of its clients to other servers; null when off. Files that do not load fail the start. */
    public InternalTls open(Clock clock) throws IOException {
        return enabled() ? new InternalTls(Path.of(certFile), Path.of(keyFile), Path.of(caFile), clock, reloadCheckMs) : null;
    }
}

package io.synkit.protocol.rpc;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.synkit.runtime.Clock;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutual TLS between servers on every internal RPC connection (replication, logic to store,
 * access to logic, logic's pushes to access): each side presents its certificate and accepts
 * only a peer whose certificate chains to the trusted CA, so a process without a valid
 * certificate can neither call a server nor pose as one. Certificates are PEM files (a chain, a
 * PKCS#8 key, the CA), as Kubernetes secrets and cert-manager write them.
 *
 * <p><b>Reload:</b> a new connection (server or client side) first checks, at most once per
 * {@code checkIntervalMs}, whether a file changed; if so it builds new contexts and uses them from
 * then on (connections already open keep theirs). Files that do not load (half written, a key
 * that does not match) keep the previous contexts and are tried again at the next check.
 * Peers are identified by the CA, not by host name: pods move, the CA is the boundary.
 */
public final class InternalTls {

    private static final Logger log = LoggerFactory.getLogger(InternalTls.class);

    private final Path certFile;
    private final Path keyFile;
    private final Path caFile;
    private final Clock clock;
    private final long checkIntervalMs;
    private long checkedAtNs;
    private List<Long> loadedVersions;
    private volatile Contexts contexts;

    private record Contexts(SslContext server, SslContext client) {
    }

    /** Loads the files now: a missing or broken file fails the start, naming it. */
    public InternalTls(Path certFile, Path keyFile, Path caFile, Clock clock, long checkIntervalMs) throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.caFile = caFile;
        this.clock = clock;
        this.checkIntervalMs = checkIntervalMs;
        this.loadedVersions = versions();
        this.contexts = load();
        this.checkedAtNs = clock.nanoTime();
    }

    /** The TLS handler of an accepted connection: the peer must present a certificate of the CA. */
    SslHandler serverHandler(ByteBufAllocator alloc) {
        return current().server().newHandler(alloc);
    }

    /** The TLS handler of a connection to {@code host:port}: the server must present a certificate of the CA. */
    SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
        return current().client().newHandler(alloc, host, port);
    }

    private Contexts current() {
        synchronized (this) {
            long nowNs = clock.nanoTime();
            if (nowNs - checkedAtNs >= TimeUnit.MILLISECONDS.toNanos(checkIntervalMs)) {
                checkedAtNs = nowNs;
                reloadIfChanged();
            }
        }
        return contexts;
    }

    private void reloadIfChanged() {
        try {
            List<Long> now = versions();
            if (now.equals(loadedVersions)) {
                return;
            }
            contexts = load();
            loadedVersions = now;
            log.info("internal tls certificates reloaded cert_file={} ca_file={}", certFile, caFile);
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            log.warn("internal tls certificates changed but do not load; keeping the previous ones cert_file={} reason=\"{}\"", certFile, e.getMessage());
        }
    }

    private List<Long> versions() throws IOException {
        return List.of(Files.getLastModifiedTime(certFile).toMillis(), Files.size(certFile), Files.getLastModifiedTime(keyFile).toMillis(),
                Files.size(keyFile), Files.getLastModifiedTime(caFile).toMillis(), Files.size(caFile));
    }

    private Contexts load() throws IOException {
        File cert = certFile.toFile();
        File key = keyFile.toFile();
        File ca = caFile.toFile();
        try {
            SslContext server = SslContextBuilder.forServer(cert, key).trustManager(ca).clientAuth(ClientAuth.REQUIRE).sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2").build();
            SslContext client = SslContextBuilder.forClient().keyManager(cert, key).trustManager(ca).sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2").build();
            return new Contexts(server, client);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("internal tls: cannot load cert " + certFile + ", key " + keyFile + ", ca " + caFile + ": " + e.getMessage(), e);
        }
    }
}

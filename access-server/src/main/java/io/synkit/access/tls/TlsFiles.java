package io.synkit.access.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client listeners' TLS: the certificate chain and private key from two PEM files (the chain
 * leaf first; the key unencrypted PKCS#8, "BEGIN PRIVATE KEY"), served with the JDK's TLS 1.3 only
 * (the JDK implements no 0-RTT early data, so none is accepted). {@link #reloadIfChanged} reads the
 * files again when their modification time or size changed (a renewed certificate, a Kubernetes
 * secret swapped under its symlink): links from then on get the new certificate, links already
 * open keep theirs. Files that do not load leave the last good certificate in place (logged,
 * counted), so a half-written renewal never takes the listener down. Thread-safe.
 */
public final class TlsFiles {

    private static final Logger log = LoggerFactory.getLogger(TlsFiles.class);

    static final String[] PROTOCOLS = {"TLSv1.3"};

    /** What one load of the files gave. */
    private record Loaded(String stamp, SslContext server, SSLSocketFactory probe) {
    }

    private final Path certFile;
    private final Path keyFile;
    private final Counter reloaded;
    private final Counter reloadFailed;
    private volatile Loaded current;

    private TlsFiles(Path certFile, Path keyFile, MeterRegistry metrics) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.reloaded = metrics.counter("synkit_access_tls_reloads", "outcome", "loaded");
        this.reloadFailed = metrics.counter("synkit_access_tls_reloads", "outcome", "failed");
    }

    /** Loads the files now; a node does not start with files that do not load. */
    public static TlsFiles load(Path certFile, Path keyFile, MeterRegistry metrics) throws IOException {
        TlsFiles tls = new TlsFiles(certFile, keyFile, metrics);
        tls.current = tls.read();
        return tls;
    }

    /** A handler for a new link, with the certificate loaded last. */
    public SslHandler newHandler(ByteBufAllocator allocator) {
        return current.server().newHandler(allocator);
    }

    /** Sockets that trust exactly the certificate served now: the node's login probe of itself. */
    public SSLSocketFactory probeSockets() {
        return current.probe();
    }

    /** Reads the files again if they changed; true when a new certificate is served from now on. */
    public boolean reloadIfChanged() {
        String stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            reloadFailed.increment();
            log.warn("tls files unreadable, serving the last good certificate cert_file={} reason=\"{}\"", certFile, e.toString());
            return false;
        }
        if (stamp.equals(current.stamp())) {
            return false;
        }
        try {
            current = read();
        } catch (IOException | RuntimeException e) {
            reloadFailed.increment();
            log.warn("tls files changed but do not load, serving the last good certificate cert_file={} key_file={} reason=\"{}\"", certFile, keyFile,
                    e.toString());
            return false;
        }
        reloaded.increment();
        log.info("tls certificate reloaded cert_file={}", certFile);
        return true;
    }

    private Loaded read() throws IOException {
        String stamp = stamp();
        SslContext server = SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile())
                .sslProvider(SslProvider.JDK).protocols(PROTOCOLS).build();
        return new Loaded(stamp, server, probe());
    }

    private SSLSocketFactory probe() throws IOException {
        try (InputStream in = Files.newInputStream(certFile)) {
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : chain) {
                trusted.setCertificateEntry("served-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("certificate file " + certFile + " does not hold a usable certificate chain: " + e.getMessage(), e);
        }
    }

    /** Modification times and sizes of both files (following symlinks, as a swapped secret is). */
    private String stamp() throws IOException {
        return Files.getLastModifiedTime(certFile).toMillis() + ":" + Files.size(certFile) + "/" + Files.getLastModifiedTime(keyFile).toMillis()
                + ":" + Files.size(keyFile);
    }
}

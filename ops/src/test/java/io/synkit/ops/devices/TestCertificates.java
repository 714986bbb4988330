package io.synkit.ops.devices;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for tests, made with the JDK's keytool (no openssl needed) and written
 * as the PEM files an access node reads: the certificate, and the key as unencrypted PKCS#8.
 */
final class TestCertificates {

    private static final String PASSWORD = "test-only";

    private TestCertificates() {
    }

    /** A certificate for 127.0.0.1 and localhost written to {@code cert} and {@code key}, with a modification time {@code version} s ahead. */
    static void write(Path dir, String name, Path cert, Path key, int version) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "synkit", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        Certificate certificate = keys.getCertificate("synkit");
        PrivateKey privateKey = (PrivateKey) keys.getKey("synkit", PASSWORD.toCharArray());
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));
        // A renewal must look changed even within the file system's time granularity.
        FileTime stamp = FileTime.fromMillis(System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(version));
        Files.setLastModifiedTime(cert, stamp);
        Files.setLastModifiedTime(key, stamp);
    }

    /** A TLS 1.3 client context that trusts the certificate in {@code cert} only. */
    static SslContext trusting(Path cert) throws IOException {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(List.of("TLSv1.3")).trustManager(cert.toFile()).build();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

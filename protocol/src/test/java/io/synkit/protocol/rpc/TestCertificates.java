package io.synkit.protocol.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;

/**
 * Certificates for tests, made with the JDK's keytool in the test's JVM (no other tool or library needed): a CA,
 * and PEM files (chain, PKCS#8 key, CA) for a node signed by it or self-signed.
 */
public final class TestCertificates {

    private static final String PASSWORD = "test-only";

    /** The PEM files one node is configured with. */
    public record NodeFiles(Path cert, Path key, Path ca) {
    }

    private final Path dir;
    private final String caName;

    /** Makes a CA named {@code caName} in {@code dir}. */
    public TestCertificates(Path dir, String caName) throws IOException {
        this.dir = dir;
        this.caName = caName;
        Files.createDirectories(dir);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + caName, "-ext", "bc:c",
                "-validity", "30", "-keystore", dir.resolve(caName + ".p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", "ca", "-keystore", dir.resolve(caName + ".p12").toString(), "-storepass", PASSWORD, "-rfc",
                "-file", dir.resolve(caName + ".crt").toString());
    }

    /** A node's files, its certificate signed by this CA. */
    public NodeFiles node(String name) throws IOException, GeneralSecurityException {
        Path store = keyPair(name);
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD, "-file", dir.resolve(name + ".csr").toString());
        keytool("-gencert", "-alias", "ca", "-keystore", dir.resolve(caName + ".p12").toString(), "-storepass", PASSWORD,
                "-infile", dir.resolve(name + ".csr").toString(), "-outfile", dir.resolve(name + ".crt").toString(), "-rfc", "-validity", "30");
        return new NodeFiles(dir.resolve(name + ".crt"), privateKeyPem(store, name), dir.resolve(caName + ".crt"));
    }

    /** A node whose certificate no CA signed (it trusts this CA, to reach the servers at all). */
    public NodeFiles selfSigned(String name) throws IOException, GeneralSecurityException {
        Path store = keyPair(name);
        keytool("-exportcert", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD, "-rfc", "-file", dir.resolve(name + ".crt").toString());
        return new NodeFiles(dir.resolve(name + ".crt"), privateKeyPem(store, name), dir.resolve(caName + ".crt"));
    }

    private Path keyPair(String name) throws IOException {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "30",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        return store;
    }

    private Path privateKeyPem(Path store, String alias) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        Key key = keys.getKey(alias, PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path file = dir.resolve(alias + ".key");
        Files.writeString(file, pem);
        return file;
    }

    /**
     * The JDK's keytool, run in this JVM (surefire opens its package to the tests): its parse and
     * command steps, not its {@code run}, which exits the JVM on an error.
     */
    private static void keytool(String... args) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            Class<?> main = Class.forName("sun.security.tools.keytool.Main");
            Constructor<?> constructor = main.getDeclaredConstructor();
            constructor.setAccessible(true);
            Object tool = constructor.newInstance();
            Method parse = main.getDeclaredMethod("parseArgs", String[].class);
            Method commands = main.getDeclaredMethod("doCommands", PrintStream.class);
            parse.setAccessible(true);
            commands.setAccessible(true);
            parse.invoke(tool, (Object) args);
            commands.invoke(tool, new PrintStream(output, true, StandardCharsets.UTF_8));
        } catch (ReflectiveOperationException e) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output.toString(StandardCharsets.UTF_8)
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
    }
}

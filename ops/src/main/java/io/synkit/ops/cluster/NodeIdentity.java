package io.synkit.ops.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who answers on a node's admin port: the {@code pid} and {@code cluster} at the end of its
 * {@code /status} line ({@link io.synkit.runtime.AdminServer}). A tool compares them with the
 * process it started and the cluster id it gave it, so another process on the same port (another
 * cluster on the default ports) is never taken for its own.
 *
 * @param clusterId empty when the process was started without one
 */
record NodeIdentity(long pid, String clusterId) {

    private static final Pattern PID = Pattern.compile(" pid=(\\d+)");
    private static final Pattern CLUSTER = Pattern.compile(" cluster=(\\S+)");

    /** Whether this is process {@code pid} of cluster {@code clusterId}. */
    boolean is(long expectedPid, String expectedClusterId) {
        return pid == expectedPid && clusterId.equals(expectedClusterId);
    }

    @Override
    public String toString() {
        return "pid " + pid + (clusterId.isEmpty() ? " (no cluster id)" : " of cluster " + clusterId);
    }

    /** Asks {@code http://<adminHostPort>/status}; empty when nothing answers in time or the answer names no pid. */
    static Optional<NodeIdentity> fetch(String adminHostPort, int timeoutMs) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + adminHostPort + "/status").toURL().openConnection();
            connection.setConnectTimeout(timeoutMs);
            connection.setReadTimeout(timeoutMs);
            try (InputStream in = connection.getInputStream()) {
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
            } finally {
                connection.disconnect();
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The identity at the end of a status line (the last pid= and cluster=: earlier ones may sit in a quoted reason). */
    static Optional<NodeIdentity> parse(String statusLine) {
        String pid = last(PID.matcher(statusLine));
        if (pid == null) {
            return Optional.empty();
        }
        String cluster = last(CLUSTER.matcher(statusLine));
        return Optional.of(new NodeIdentity(Long.parseLong(pid), cluster == null ? "" : cluster));
    }

    private static String last(Matcher matcher) {
        String found = null;
        while (matcher.find()) {
            found = matcher.group(1);
        }
        return found;
    }
}

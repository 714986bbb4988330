package io.synkit.ops.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a logic or access node of a local cluster says on its admin {@code /status} line: its
 * state and build ({@code version}, {@code protocol}). Store replicas are asked over RPC
 * ({@link ClusterStatus}); these nodes only have the admin port.
 *
 * @param pairs the status line's key=value pairs (quoted values unquoted); empty when the node did not answer
 * @param detail why there is no answer (DOWN: no process of this cluster; NO-ANSWER: it runs but did not answer)
 */
public record ServerStatus(String node, Map<String, String> pairs, String detail) {

    private static final Pattern PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");

    /** Asks every logic and access node of {@code cluster}, one after another, each within {@code timeoutMs}. */
    public static List<ServerStatus> query(LocalCluster cluster, int timeoutMs) throws IOException {
        List<ServerStatus> answers = new ArrayList<>();
        for (String node : cluster.serverNodes()) {
            Optional<String> admin = cluster.adminAddress(node);
            if (cluster.process(node).isEmpty()) {
                answers.add(new ServerStatus(node, Map.of(), "DOWN no process of this cluster runs"));
            } else if (admin.isEmpty()) {
                answers.add(new ServerStatus(node, Map.of(), "NO-ANSWER it has no admin port"));
            } else {
                answers.add(fetch(node, admin.get(), timeoutMs));
            }
        }
        return answers;
    }

    /** Asks {@code http://<adminHostPort>/status} of {@code node}. */
    public static ServerStatus fetch(String node, String adminHostPort, int timeoutMs) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + adminHostPort + "/status").toURL().openConnection();
            connection.setConnectTimeout(timeoutMs);
            connection.setReadTimeout(timeoutMs);
            try (InputStream in = connection.getInputStream()) {
                return new ServerStatus(node, parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()), "");
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return new ServerStatus(node, Map.of(), "NO-ANSWER " + e.getMessage());
        }
    }

    /** Null when the node's {@code /health/ready} answers 200; else what it answered (or why nothing). */
    public static String notReadyReason(String adminHostPort, int timeoutMs) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://" + adminHostPort + "/health/ready").toURL().openConnection();
            connection.setConnectTimeout(timeoutMs);
            connection.setReadTimeout(timeoutMs);
            try {
                int code = connection.getResponseCode();
                if (code == 200) {
                    return null;
                }
                try (InputStream in = connection.getErrorStream()) {
                    return code + " " + (in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
                }
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return "no answer: " + e.getMessage();
        }
    }

    /** The key=value pairs of a status line, in order; a quoted value loses its quotes. */
    static Map<String, String> parse(String statusLine) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher matcher = PAIR.matcher(statusLine);
        while (matcher.find()) {
            String value = matcher.group(2);
            pairs.put(matcher.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
        }
        return pairs;
    }

    /** One line per node: name, role, state, version/protocol (or why it did not answer). */
    public static List<String> format(List<ServerStatus> statuses) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-8s %-6s %-9s %-16s %s", "node", "role", "state", "version", "detail"));
        for (ServerStatus status : statuses) {
            if (status.pairs.isEmpty()) {
                lines.add(String.format(Locale.ROOT, "%-8s %s", status.node, status.detail));
                continue;
            }
            String version = status.pairs.getOrDefault("version", "?") + "/" + status.pairs.getOrDefault("protocol", "?");
            String reason = status.pairs.getOrDefault("reason", "");
            lines.add(String.format(Locale.ROOT, "%-8s %-6s %-9s %-16s %s", status.node, status.pairs.getOrDefault("role", "?"),
                    status.pairs.getOrDefault("state", "?"), version, reason).stripTrailing());
        }
        return lines;
    }
}

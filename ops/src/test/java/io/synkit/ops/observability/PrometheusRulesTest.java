package io.synkit.ops.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules ({@code ops/prometheus}) and the dashboard ({@code ops/grafana}) held to the
 * tools and to the docs: promtool accepts the rules and their recorded-series tests expect every
 * alert to fire where it must and stay silent where it must not (CI installs Debian's
 * {@code prometheus} for promtool; without it that test is skipped and says why); every alert is
 * explained in operations.md; every metric they read is one operations.md lists.
 */
class PrometheusRulesTest {

    private static final Path RULES_DIR = Path.of("prometheus");
    private static final Path RULES = RULES_DIR.resolve("synkit-alerts.yml");
    private static final Path DASHBOARD = Path.of("grafana", "synkit-dashboard.json");
    private static final Path OPERATIONS = Path.of("..", "docs", "operations.md");
    private static final Pattern METRIC = Pattern.compile("\\b(synkit_[a-z0-9_]+)");
    private static final long PROMTOOL_TIMEOUT_S = 60;

    @Test
    void promtoolAcceptsTheRulesAndTheirTestsExpectEveryAlert() throws Exception {
        Assumptions.assumeTrue(promtoolInstalled(), "promtool is not installed here (Debian package prometheus; .ci/run installs it): rules not checked");

        assertPromtool(List.of("promtool", "check", "rules", RULES.getFileName().toString()));
        String tested = assertPromtool(List.of("promtool", "test", "rules", "synkit-alerts.test.yml"));

        assertTrue(tested.contains("SUCCESS"), tested);
        String tests = Files.readString(RULES_DIR.resolve("synkit-alerts.test.yml"));
        for (String alert : alertNames()) {
            assertTrue(tests.contains("alertname: " + alert + "\n        exp_alerts:\n          - exp_labels"),
                    "a recorded-series test expects " + alert + " to fire");
        }
    }

    @Test
    void everyAlertIsExplainedInTheOperationsGuide() throws IOException {
        String operations = Files.readString(OPERATIONS);
        for (String alert : alertNames()) {
            assertTrue(operations.contains("| `" + alert + "` |"), alert + " has a row (meaning, action) in docs/operations.md");
        }
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardReadIsOneTheOperationsGuideLists() throws IOException {
        Set<String> documented = new HashSet<>();
        Matcher inDocs = METRIC.matcher(Files.readString(OPERATIONS));
        while (inDocs.find()) {
            documented.add(inDocs.group(1));
        }
        Set<String> undocumented = new TreeSet<>();
        for (String metric : metricsIn(Files.readString(RULES) + Files.readString(DASHBOARD))) {
            String base = metric.replaceAll("_(bucket|count|sum)$", "");
            if (!documented.contains(metric) && !documented.contains(base)) {
                undocumented.add(metric);
            }
        }
        assertEquals(Set.of(), undocumented, "metrics read by ops/prometheus or ops/grafana but not listed in docs/operations.md");
    }

    @Test
    void theDashboardIsGrafanaJsonWhosePanelsEachQuerySynkitMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals("synkit-overview", dashboard.get("uid").asText());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertTrue(ids.add(panel.get("id").asInt()), "panel ids are unique: " + panel.get("id"));
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertTrue(panel.get("targets").size() > 0, panel.get("title").asText());
            for (JsonNode target : panel.get("targets")) {
                assertTrue(METRIC.matcher(target.get("expr").asText()).find(), panel.get("title").asText() + ": " + target.get("expr"));
            }
        }
    }

    private static List<String> alertNames() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile()).get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                names.add(rule.get("alert").asText());
            }
        }
        return names;
    }

    private static Set<String> metricsIn(String text) {
        Set<String> metrics = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            metrics.add(matcher.group(1));
        }
        return metrics;
    }

    private static boolean promtoolInstalled() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "promtool"))) {
                return true;
            }
        }
        return false;
    }

    private static String assertPromtool(List<String> command) throws IOException, InterruptedException {
        Process promtool = new ProcessBuilder(command).directory(RULES_DIR.toFile()).redirectErrorStream(true).start();
        try {
            assertTrue(promtool.waitFor(PROMTOOL_TIMEOUT_S, TimeUnit.SECONDS), String.join(" ", command) + " finishes");
            String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, promtool.exitValue(), String.join(" ", command) + ":\n" + output);
            return output;
        } finally {
            promtool.destroyForcibly();
        }
    }
}

package io.synkit.ops.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kubernetes manifests in {@code ops/kubernetes}, checked without a Kubernetes server: the
 * structure each kind needs (a schema of the fields we use: selectors that select their pods,
 * probes and mounts that name declared ports and volumes), and the rules of the deployment (a SET
 * is a StatefulSet of 3 across zones and hosts that a drain never takes 2 of, found by its
 * replicas even while unready; probes on the health endpoints; internal mutual TLS on; every
 * setting a key the servers read; the slot map's SETs are the StatefulSets).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("kubernetes");
    private static final Path OPERATIONS = Path.of("..", "docs", "operations.md");
    private static final Pattern DOCUMENTED_KEY = Pattern.compile("^\\| `((?:store|logic|access)\\.[a-z0-9.]+)` \\|", Pattern.MULTILINE);
    private static final String NAMESPACE = "synkit";
    private static final Set<String> JOBS = Set.of("synkit-store", "synkit-logic", "synkit-access");

    private final List<JsonNode> documents = new ArrayList<>();

    @BeforeAll
    void read() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
                    docs.forEachRemaining(documents::add);
                }
            }
        }
        assertFalse(documents.isEmpty());
    }

    @Test
    void everyObjectHasTheFieldsItsKindNeedsAndSelectorsSelectTheirPods() {
        for (JsonNode doc : documents) {
            String what = doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
            assertTrue(doc.hasNonNull("apiVersion") && doc.hasNonNull("kind") && doc.path("metadata").hasNonNull("name"), what);
            if (!doc.path("kind").asText().equals("Namespace")) {
                assertEquals(NAMESPACE, doc.path("metadata").path("namespace").asText(), what);
            }
            switch (doc.path("kind").asText()) {
                case "StatefulSet", "Deployment" -> {
                    JsonNode spec = doc.path("spec");
                    assertTrue(labels(spec.path("template").path("metadata").path("labels")).entrySet()
                            .containsAll(labels(spec.path("selector").path("matchLabels")).entrySet()), what + ": the selector selects the template's pods");
                    containers(doc).forEach(container -> assertContainer(what, container, doc));
                }
                case "Service" -> {
                    assertTrue(doc.path("spec").path("ports").size() > 0, what);
                    assertFalse(podsSelectedBy(doc.path("spec").path("selector")).isEmpty(), what + " selects pods of a workload");
                }
                case "PodDisruptionBudget" -> {
                    assertTrue(doc.path("spec").has("maxUnavailable") != doc.path("spec").has("minAvailable"), what + ": one of the two");
                    assertEquals(1, podsSelectedBy(doc.path("spec").path("selector").path("matchLabels")).size(), what + " covers one workload");
                }
                case "Job" -> {
                    assertTrue(Set.of("OnFailure", "Never").contains(doc.path("spec").path("template").path("spec").path("restartPolicy").asText()), what);
                    containers(doc).forEach(container -> assertContainer(what, container, doc));
                }
                case "Namespace" -> { }
                default -> throw new AssertionError("a kind the checks do not know: " + what);
            }
        }
    }

    @Test
    void eachSetIsAStatefulSetOfThreeAcrossZonesAndHostsThatADrainNeverTakesTwoOf() {
        List<JsonNode> sets = workloads("StatefulSet");
        assertTrue(sets.size() >= 2, "the meta SET and data SETs");
        for (JsonNode set : sets) {
            String name = set.path("metadata").path("name").asText();
            JsonNode spec = set.path("spec");
            Map<String, String> pods = labels(spec.path("selector").path("matchLabels"));
            assertEquals(3, spec.path("replicas").asInt(), name);
            JsonNode budget = only("PodDisruptionBudget", pods);
            assertEquals(1, budget.path("spec").path("maxUnavailable").asInt(), name + ": never 2 replicas of a SET away by choice");
            JsonNode service = only("Service", pods);
            assertEquals("None", service.path("spec").path("clusterIP").asText(), name + ": headless, one DNS name per replica");
            assertTrue(service.path("spec").path("publishNotReadyAddresses").asBoolean(), name + ": unready replicas (no quorum) still find each other");
            assertEquals(service.path("metadata").path("name").asText(), spec.path("serviceName").asText(), name);
            JsonNode podSpec = spec.path("template").path("spec");
            JsonNode spread = podSpec.path("topologySpreadConstraints").get(0);
            assertEquals("topology.kubernetes.io/zone", spread.path("topologyKey").asText(), name);
            assertEquals("DoNotSchedule", spread.path("whenUnsatisfiable").asText(), name + ": a zone loss costs a SET one replica at most");
            assertEquals(pods, labels(spread.path("labelSelector").path("matchLabels")), name);
            JsonNode apart = podSpec.path("affinity").path("podAntiAffinity").path("requiredDuringSchedulingIgnoredDuringExecution").get(0);
            assertEquals("kubernetes.io/hostname", apart.path("topologyKey").asText(), name + ": two replicas never share a host");
            assertEquals(pods, labels(apart.path("labelSelector").path("matchLabels")), name);
            assertFalse(spec.path("volumeClaimTemplates").isEmpty(), name + ": a volume per replica that survives rescheduling");
            Map<String, String> env = env(containers(set).get(0));
            String port = containers(set).get(0).path("ports").get(0).path("containerPort").asText();
            List<String> expected = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                expected.add(name + "-" + r + "." + spec.path("serviceName").asText() + "." + NAMESPACE + ".svc.cluster.local:" + port);
            }
            assertEquals(String.join(",", expected), env.get("SYNKIT_STORE_REPLICAS"), name + ": its replicas, by their stable names, in index order");
            assertTrue(env.containsKey("SYNKIT_STORE_REPLICA_INDEX"), name);
        }
    }

    @Test
    void logicAndAccessAreDeploymentsWithABudgetAndEveryServerIsProbedOnItsHealthEndpointsAndScraped() {
        for (JsonNode workload : workloads("Deployment")) {
            only("PodDisruptionBudget", labels(workload.path("spec").path("selector").path("matchLabels")));
        }
        for (JsonNode workload : serverWorkloads()) {
            String name = workload.path("metadata").path("name").asText();
            JsonNode container = containers(workload).get(0);
            assertEquals("/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText(), name);
            assertEquals("/health/live", container.path("livenessProbe").path("httpGet").path("path").asText(), name);
            assertEquals("admin", container.path("readinessProbe").path("httpGet").path("port").asText(), name);
            JsonNode annotations = workload.path("spec").path("template").path("metadata").path("annotations");
            assertEquals(portNamed(container, "admin"), annotations.path("prometheus.io/port").asInt(), name + ": scraped on the admin port");
            assertTrue(JOBS.contains(annotations.path("prometheus.io/job").asText()), name + ": a job the alert rules know");
        }
    }

    @Test
    void internalMutualTlsIsOnForEveryServerAndTheSlotMapJob() {
        for (JsonNode workload : serverWorkloads()) {
            String name = workload.path("metadata").path("name").asText();
            Map<String, String> env = env(containers(workload).get(0));
            String server = containers(workload).get(0).path("name").asText();
            // Access nodes' own TLS keys are their client listeners'; the internal ones sit under access.internal.
            String prefix = "SYNKIT_" + server.toUpperCase() + (server.equals("access") ? "_INTERNAL" : "") + "_TLS_";
            for (String file : List.of("CERT_FILE", "KEY_FILE", "CA_FILE")) {
                assertTrue(env.getOrDefault(prefix + file, "").startsWith("/etc/synkit/tls/"), name + " sets " + prefix + file);
            }
            assertTrue(mountsSecret(workload, "/etc/synkit/tls", "synkit-internal-tls"), name + " mounts the internal TLS secret");
        }
        for (JsonNode job : workloads("Job")) {
            String command = containers(job).get(0).path("command").toString();
            assertTrue(command.contains("--tls-cert=/etc/synkit/tls/tls.crt") && command.contains("--tls-ca=/etc/synkit/tls/ca.crt"), command);
            assertTrue(mountsSecret(job, "/etc/synkit/tls", "synkit-internal-tls"));
        }
    }

    @Test
    void everySettingIsAKeyTheServersReadAndTheSlotMapNamesEveryDataSet() throws IOException {
        Set<String> documented = new HashSet<>();
        Matcher key = DOCUMENTED_KEY.matcher(Files.readString(OPERATIONS));
        while (key.find()) {
            documented.add(key.group(1));
        }
        for (JsonNode workload : serverWorkloads()) {
            for (String name : env(containers(workload).get(0)).keySet()) {
                String configKey = name.substring("SYNKIT_".length()).toLowerCase().replace('_', '.');
                assertTrue(documented.contains(configKey), workload.path("metadata").path("name").asText() + ": " + name + " is no setting (" + configKey + ")");
            }
        }
        String command = containers(workloads("Job").get(0)).get(0).path("command").toString();
        for (JsonNode set : workloads("StatefulSet")) {
            String id = env(containers(set).get(0)).get("SYNKIT_STORE_SET_ID");
            String replicas = env(containers(set).get(0)).get("SYNKIT_STORE_REPLICAS");
            if (id.equals("meta")) {
                assertTrue(command.contains("--meta=" + replicas), command);
            } else {
                assertTrue(command.contains(id + "=" + replicas.replace(',', '|')), "the slot map gives SET " + id + " its replicas: " + command);
            }
        }
    }

    // ------------------------------------------------------------------ reading the documents

    private void assertContainer(String what, JsonNode container, JsonNode workload) {
        assertTrue(container.hasNonNull("image") && container.hasNonNull("name"), what);
        Set<String> ports = new HashSet<>();
        container.path("ports").forEach(port -> ports.add(port.path("name").asText()));
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            if (container.has(probe)) {
                assertTrue(ports.contains(container.path(probe).path("httpGet").path("port").asText()), what + ": " + probe + " names a declared port");
            }
        }
        Set<String> volumes = new HashSet<>();
        workload.path("spec").path("template").path("spec").path("volumes").forEach(volume -> volumes.add(volume.path("name").asText()));
        workload.path("spec").path("volumeClaimTemplates").forEach(claim -> volumes.add(claim.path("metadata").path("name").asText()));
        container.path("volumeMounts").forEach(mount -> assertTrue(volumes.contains(mount.path("name").asText()), what + " mounts a declared volume"));
    }

    private List<JsonNode> workloads(String kind) {
        return documents.stream().filter(doc -> doc.path("kind").asText().equals(kind)).toList();
    }

    private List<JsonNode> serverWorkloads() {
        List<JsonNode> servers = new ArrayList<>(workloads("StatefulSet"));
        servers.addAll(workloads("Deployment"));
        return servers;
    }

    /** The one object of {@code kind} whose selector is exactly {@code pods}. */
    private JsonNode only(String kind, Map<String, String> pods) {
        List<JsonNode> found = documents.stream().filter(doc -> doc.path("kind").asText().equals(kind))
                .filter(doc -> pods.equals(labels(doc.path("spec").path("selector").has("matchLabels")
                        ? doc.path("spec").path("selector").path("matchLabels") : doc.path("spec").path("selector")))).toList();
        assertEquals(1, found.size(), "one " + kind + " selects " + pods);
        return found.get(0);
    }

    /** The workloads whose pods carry every label of {@code selector}. */
    private List<JsonNode> podsSelectedBy(JsonNode selector) {
        Map<String, String> wanted = labels(selector);
        List<JsonNode> selected = new ArrayList<>();
        for (JsonNode workload : documents) {
            Map<String, String> pod = labels(workload.path("spec").path("template").path("metadata").path("labels"));
            if (!pod.isEmpty() && pod.entrySet().containsAll(wanted.entrySet())) {
                selected.add(workload);
            }
        }
        return selected;
    }

    private static List<JsonNode> containers(JsonNode workload) {
        List<JsonNode> containers = new ArrayList<>();
        workload.path("spec").path("template").path("spec").path("containers").forEach(containers::add);
        return containers;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new TreeMap<>();
        container.path("env").forEach(variable -> env.put(variable.path("name").asText(), variable.path("value").asText()));
        return env;
    }

    private static Map<String, String> labels(JsonNode labels) {
        Map<String, String> map = new TreeMap<>();
        labels.fields().forEachRemaining(label -> map.put(label.getKey(), label.getValue().asText()));
        return map;
    }

    private static int portNamed(JsonNode container, String name) {
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals(name)) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no port " + name);
    }

    private static boolean mountsSecret(JsonNode workload, String path, String secret) {
        JsonNode container = containers(workload).get(0);
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(path)) {
                for (JsonNode volume : workload.path("spec").path("template").path("spec").path("volumes")) {
                    if (volume.path("name").asText().equals(mount.path("name").asText())) {
                        return volume.path("secret").path("secretName").asText().equals(secret);
                    }
                }
            }
        }
        return false;
    }
}

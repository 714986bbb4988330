package io.synkit.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM options {@code ops cluster up} gives each node. */
class LocalClusterJvmOptionsTest {

    @Test
    void theNodePlaceholderBecomesEachNodesNameSoEveryNodeWritesItsOwnRecording() {
        String configured = " -Xmx512m  -XX:StartFlightRecording=delay=60s,filename=/tmp/rec/{node}.jfr ";

        assertEquals(List.of("-Xmx512m", "-XX:StartFlightRecording=delay=60s,filename=/tmp/rec/s1-r2.jfr"), LocalCluster.jvmOptions(configured, "s1-r2"));
        assertEquals(List.of("-Xmx512m", "-XX:StartFlightRecording=delay=60s,filename=/tmp/rec/logic.jfr"), LocalCluster.jvmOptions(configured, "logic"));
    }

    @Test
    void withoutTheSystemPropertyEveryNodeCompilesWithC1Only() {
        for (String node : List.of("logic", "access", "access-2", "meta-r0", "s1-r2")) {
            assertEquals(LocalCluster.JVM_OPTIONS_DEFAULT, LocalCluster.jvmOptions(null, node), node);
            assertEquals(LocalCluster.JVM_OPTIONS_DEFAULT, LocalCluster.jvmOptions("  ", node), node);
        }
        assertTrue(LocalCluster.JVM_OPTIONS_DEFAULT.contains("-XX:TieredStopAtLevel=1"));
    }
}

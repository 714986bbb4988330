package io.synkit.store.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.store.StoreServerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store process's log lines are JSON objects whose first field is an ISO-8601 UTC timestamp
 * with milliseconds, whatever the host's time zone, so the events of different nodes can be lined
 * up; the message's key=value pairs are fields of their own (issue 19: structured logs).
 */
class StoreLogTimestampTest {

    private static final Pattern UTC_MILLIS = Pattern.compile("^\\{\"ts\":\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\",\"level\":\"INFO\",");

    @TempDir
    Path data;

    @Test
    void storeLogLinesAreJsonStartingWithAnIsoUtcTimestampWithMilliseconds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A host far from UTC: the timestamps must not follow it.
        Process store = new ProcessBuilder(List.of(java, "-Xmx128m", "-Duser.timezone=Asia/Shanghai", "-cp", System.getProperty("java.class.path"),
                StoreServerMain.class.getName(), "--store.data.dir=" + data.resolve("replica"), "--store.port=" + freePort()))
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(store.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY store")) {
                lines.add(line);
            }
        } finally {
            store.destroy();
            if (!store.waitFor(10, TimeUnit.SECONDS)) {
                store.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        List<String> started = lines.stream().filter(line -> line.contains("store replica started")).toList();
        assertTrue(started.size() == 1, "the store logged its start: " + lines);
        assertTrue(UTC_MILLIS.matcher(started.get(0)).find(), "ISO-8601 UTC timestamp with milliseconds first: " + started.get(0));
        assertTrue(started.get(0).contains(",\"set\":\"s1\"") && started.get(0).endsWith("}"), "the SET is a field: " + started.get(0));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

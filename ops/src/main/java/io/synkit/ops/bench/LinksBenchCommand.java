package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.synkit.ops.cluster.Directories;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.internal.LogicResponse;
import io.synkit.protocol.internal.DeviceLoggedIn;
import io.synkit.protocol.internal.RouteUpdated;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.rpc.RpcHandler;
import io.synkit.protocol.rpc.RpcPayloads;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench links}: what an idle authenticated client link costs an access node. Starts
 * one access node as its own JVM, with a minimal logic node in this process that answers route
 * updates (all an idle link needs of logic), opens {@code --links} links from this process, each
 * authenticated with a dev-key token of its own user, then forces full collections in the access
 * JVM and compares heap in use (its {@code jvm_memory_used_bytes} metric and the live bytes of
 * {@code jcmd GC.class_histogram}) and resident memory ({@code VmRSS}) with the same figures
 * before the links were opened. Prints bytes per link and the classes that grew most per link.
 * Every wait is bounded by {@code --timeout-s}; the access node is stopped (SIGTERM, then SIGKILL)
 * and its scratch directory deleted whatever happens.
 */
@Command(name = "links", mixinStandardHelpOptions = true, description = "Heap and RSS per idle authenticated link on one access node.")
public final class LinksBenchCommand implements Callable<Integer> {

    @Option(names = "--links", defaultValue = "19000", description = "Idle authenticated links to open (default ${DEFAULT-VALUE})")
    int links;

    @Option(names = "--base-port", defaultValue = "7900", description = "Access client port; push and admin ports follow (default ${DEFAULT-VALUE})")
    int basePort;

    @Option(names = "--access-classpath", description = "Class path of the access node to measure (default: this jar)")
    String accessClasspath;

    @Option(names = "--jvm-options", defaultValue = "-Xmx512m -XX:+UseSerialGC", description = "JVM options of the access node (default ${DEFAULT-VALUE})")
    String jvmOptions;

    @Option(names = "--warmup-links", defaultValue = "1000",
            description = "Links opened and closed before the first measure, so the node has served links when it is measured (default ${DEFAULT-VALUE})")
    int warmupLinks;

    @Option(names = "--connect-concurrency", defaultValue = "256", description = "Links being opened at once at most (default ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Option(names = "--timeout-s", defaultValue = "300", description = "The whole run ends within this (default ${DEFAULT-VALUE})")
    int timeoutS;

    @Option(names = "--classes", defaultValue = "12", description = "Classes listed by growth per link (default ${DEFAULT-VALUE})")
    int classes;

    /**
     * Source addresses are 127.0.0.x from a random x in [2, 2 + this): the ports of a run's closed
     * links stay in TIME_WAIT for a minute, and a run right after from the same address would find
     * too few ports free.
     */
    private static final int SOURCE_ADDRESS_CHOICES = 200;
    /** File descriptors this process and the access JVM need besides the links (jars, selectors, ports). */
    static final int FDS_RESERVED = 500;
    /** Heartbeat and idle timeout far beyond the run, so links stay idle and open. */
    private static final int HEARTBEAT_INTERVAL_MS = 3_600_000;
    private static final int IDLE_TIMEOUT_MS = 10_800_000;
    /** Access node settings for a bench of idle links: they stay open, and opening tens of thousands from a few addresses is not paced. */
    static final List<String> IDLE_ACCESS_ARGS = List.of("--access.heartbeat.interval.ms=" + HEARTBEAT_INTERVAL_MS,
            "--access.idle.timeout.ms=" + IDLE_TIMEOUT_MS, "--access.limit.address.rate.per.s=0");
    private static final long STOP_GRACE_MS = 15_000;

    @Override
    public Integer call() throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        long fdsMax = fileDescriptorsMax();
        if (links < 1 || links + FDS_RESERVED > fdsMax) {
            throw new IllegalArgumentException("--links=" + links + " must be in [1, " + (fdsMax - FDS_RESERVED) + "]: each process may open "
                    + fdsMax + " files and needs " + FDS_RESERVED + " besides the links");
        }
        Path dir = Files.createTempDirectory("synkit-bench-links");
        EventLoopGroup loops = NettyThreads.group("bench-links", 2);
        RouteOnlyLogic logic = new RouteOnlyLogic();
        RpcServer logicServer = new RpcServer("bench-logic", logic, FrameLimits.internal());
        Process access = null;
        try {
            InetSocketAddress logicAddress = logicServer.start(loops, loops, new InetSocketAddress("127.0.0.1", 0));
            List<String> command = accessCommand(logicAddress);
            System.out.printf(Locale.ROOT, "bench links: links=%d cores=%d%n  access node: %s%n", links,
                    Runtime.getRuntime().availableProcessors(), String.join(" ", command));
            Path log = dir.resolve("access.log");
            access = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            awaitReady(access, log, deadlineNs);
            int firstSource = 2 + new SplittableRandom().nextInt(SOURCE_ADDRESS_CHOICES);
            List<InetSocketAddress> clients = List.of(new InetSocketAddress("127.0.0.1", basePort));
            if (warmupLinks > 0) {
                List<Channel> warmup = IdleLinks.open(loops, clients, warmupLinks, links + 1, firstSource, connectConcurrency, IdleLinks.Pushes.IGNORED, deadlineNs);
                warmup.forEach(Channel::close);
                awaitNoSessions(deadlineNs);
            }
            Snapshot before = snapshot(access.pid(), basePort + 2, deadlineNs);
            System.out.printf(Locale.ROOT, "before: %s%n", before);
            List<Channel> open = IdleLinks.open(loops, clients, links, 1, firstSource, connectConcurrency, IdleLinks.Pushes.IGNORED, deadlineNs);
            String status = get(basePort + 2, "/status", deadlineNs);
            Snapshot after = snapshot(access.pid(), basePort + 2, deadlineNs);
            System.out.printf(Locale.ROOT, "after %d links: %s%n  access status: %s%n", open.size(), after, status.trim());
            report(before, after, open.size());
            open.forEach(Channel::close);
            return 0;
        } finally {
            if (access != null) {
                stop(access);
            }
            logicServer.close();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            Directories.deleteTree(dir);
        }
    }

    private List<String> accessCommand(InetSocketAddress logicAddress) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(jvmOptions.trim().split("\\s+")));
        command.addAll(List.of("-cp", accessClasspath != null ? accessClasspath : System.getProperty("java.class.path"),
                "io.synkit.access.AccessServerMain",
                "--access.port=" + basePort, "--access.push.port=" + (basePort + 1), "--access.admin.port=" + (basePort + 2),
                "--access.logic.nodes=127.0.0.1:" + logicAddress.getPort()));
        command.addAll(IDLE_ACCESS_ARGS);
        return command;
    }

    private static void awaitReady(Process access, Path log, long deadlineNs) throws IOException, InterruptedException, TimeoutException {
        while (System.nanoTime() < deadlineNs) {
            if (Files.readString(log).contains("READY access")) {
                return;
            }
            if (!access.isAlive()) {
                throw new IOException("access node exited " + access.exitValue() + " before READY; its log:\n" + Files.readString(log));
            }
            Thread.sleep(50); // polling a child process's log for its READY line
        }
        throw new TimeoutException("access node not READY within --timeout-s; its log:\n" + Files.readString(log));
    }

    /** Waits until the node's {@code /status} shows no session (the warm-up links have gone). */
    private void awaitNoSessions(long deadlineNs) throws Exception {
        while (!get(basePort + 2, "/status", deadlineNs).contains(" sessions=0")) {
            if (System.nanoTime() > deadlineNs) {
                throw new TimeoutException("the warm-up links did not leave the access node within --timeout-s");
            }
            Thread.sleep(50); // polling another process's state: it has no event to wait on
        }
    }

    /**
     * The access node's memory after full collections.
     *
     * @param oldGenUsedBytes the old generation's {@code jvm_memory_used_bytes} right after a full
     *     collection: every live object is there, while the young generation holds only what was
     *     allocated since (the scrape itself); -1 when the node exports no such metric
     */
    record Snapshot(long oldGenUsedBytes, long liveBytes, long rssBytes, Map<String, long[]> classes) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "old_gen_used=%s live_objects=%d B rss=%d B",
                    oldGenUsedBytes < 0 ? "n/a (no jvm_memory_used_bytes metric)" : oldGenUsedBytes + " B", liveBytes, rssBytes);
        }
    }

    /** Full collections in the JVM {@code pid}, then its heap (metric on {@code adminPort}, class histogram) and RSS. */
    static Snapshot snapshot(long pid, int adminPort, long deadlineNs) throws Exception {
        jcmd(pid, "GC.run", deadlineNs);
        jcmd(pid, "GC.run", deadlineNs);
        long oldGenUsed = oldGenUsedBytes(get(adminPort, "/metrics", deadlineNs));
        // The histogram collects once more (live objects only) and names what the bytes are.
        Map<String, long[]> histogram = new HashMap<>();
        long live = -1;
        for (String line : jcmd(pid, "GC.class_histogram", deadlineNs)) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                histogram.put(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
            } else if (fields.length == 3 && fields[0].equals("Total")) {
                live = Long.parseLong(fields[2]);
            }
        }
        return new Snapshot(oldGenUsed, live, rssBytes(pid), histogram);
    }

    private void report(Snapshot before, Snapshot after, int linkCount) {
        if (before.oldGenUsedBytes() >= 0 && after.oldGenUsedBytes() >= 0) {
            System.out.printf(Locale.ROOT, "heap per link (metric jvm_memory_used_bytes of the old generation after a full GC): %.0f B%n",
                    (after.oldGenUsedBytes() - before.oldGenUsedBytes()) / (double) linkCount);
        }
        System.out.printf(Locale.ROOT, "live heap per link (class histogram): %.0f B%n", (after.liveBytes() - before.liveBytes()) / (double) linkCount);
        System.out.printf(Locale.ROOT, "rss per link: %.0f B%n", (after.rssBytes() - before.rssBytes()) / (double) linkCount);
        System.out.printf(Locale.ROOT, "classes that grew most (instances per link, bytes per link):%n");
        after.classes().entrySet().stream()
                .map(entry -> {
                    long[] was = before.classes().getOrDefault(entry.getKey(), new long[2]);
                    return Map.entry(entry.getKey(), new long[] {entry.getValue()[0] - was[0], entry.getValue()[1] - was[1]});
                })
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> entry) -> entry.getValue()[1]).reversed())
                .limit(classes)
                .forEach(entry -> System.out.printf(Locale.ROOT, "  %8.2f %8.1f B  %s%n", entry.getValue()[0] / (double) linkCount,
                        entry.getValue()[1] / (double) linkCount, entry.getKey()));
    }

    /** The old generation's heap pool ("Tenured Gen", "G1 Old Gen", "PS Old Gen", ...) from the Prometheus text. */
    private static long oldGenUsedBytes(String metrics) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")
                    && (line.contains("Old Gen") || line.contains("Tenured Gen"))) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    private static List<String> jcmd(long pid, String what, long deadlineNs) throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jcmd = Files.exists(javaHome.resolve("bin/jcmd")) ? javaHome.resolve("bin/jcmd") : Path.of("jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), what).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        if (!process.waitFor(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new TimeoutException("jcmd " + what + " did not finish within --timeout-s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + what + " exited " + process.exitValue() + ": " + String.join("\n", lines));
        }
        return lines;
    }

    static String get(int adminPort, String path, long deadlineNs) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofNanos(Math.max(1, deadlineNs - System.nanoTime()))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM (the node drains), then SIGKILL if it is still there after the grace period. */
    private static void stop(Process access) throws InterruptedException {
        access.destroy();
        if (!access.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
            access.destroyForcibly();
            access.waitFor();
        }
    }

    static long fileDescriptorsMax() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return 20_000;
    }

    /** A logic node that only answers logins and route updates: all an idle link needs of logic. */
    private static final class RouteOnlyLogic implements RpcHandler {

        @Override
        public CompletableFuture<LogicResponse> handle(ByteString payload, long timeoutMs) {
            LogicRequest request = RpcPayloads.parse(LogicRequest.parser(), payload, "logic request");
            if (request.hasLogin()) {
                return CompletableFuture.completedFuture(LogicResponse.newBuilder().setLogin(DeviceLoggedIn.getDefaultInstance()).build());
            }
            if (!request.hasRoute()) {
                return CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE,
                    "bench logic answers logins and route updates only"));
            }
            return CompletableFuture.completedFuture(LogicResponse.newBuilder().setRoute(RouteUpdated.getDefaultInstance()).build());
        }
    }
}

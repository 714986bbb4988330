package io.synkit.ops.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.Directories;
import io.synkit.ops.cluster.LocalCluster;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench connections}: how many idle authenticated links this machine holds. One process
 * holds fewer than 20,000 sockets, so it starts a local cluster (meta SET, {@code --sets} data
 * SETs, logic, {@code --access-nodes} access nodes) and {@code --workers} client worker processes
 * ({@link ConnectionsWorkerCommand}), worker {@code w} on its own source address 127.0.0.x, and
 * spreads {@code --links} links evenly over workers and access nodes. Then it reports links per
 * access node (its {@code /status} sessions), heap per idle link on each (as {@code ops bench
 * links} measures it: full collections, class histogram, before and after the links), the total,
 * and the Notify latency to a sample of the idle links ({@link NotifyProbe}).
 *
 * <p>With {@code --storm drain|kill} it measures a reconnect storm instead ({@link ReconnectStorm}):
 * the workers' {@link StormClient}s all log in to the first access node and sync (the others are
 * listed to them at login), the node is drained (SIGTERM, the operator's path) or killed (SIGKILL),
 * and it reports how long until every client was back and synced and every message sent during
 * the storm delivered, attempts per client per second, refusals and auth latency. Access nodes keep
 * their default auth deadline here: admission under a storm is what is measured.
 *
 * <p>Every wait is bounded by {@code --timeout-s}; the workers and the cluster are stopped at the
 * end and, on Ctrl-C, killed with the scratch directory deleted ({@link InterruptCleanup}). A taken
 * port stops the run before anything starts, naming the port.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = "Idle authenticated links across several access and client processes: links per node, heap per link, notify latency.")
public final class ConnectionsBenchCommand implements Callable<Integer> {

    static final int LINKS_PER_PROCESS_TARGET = 19_000;
    static final long LINKS_TOTAL_TARGET = 100_000;
    private static final Pattern SESSIONS = Pattern.compile(" sessions=(\\d+)");
    /** Worker source addresses are 127.0.0.x from a random x in [2, 2 + this): see {@code ops bench links}. */
    private static final int SOURCE_ADDRESS_CHOICES = 200;
    /**
     * The access nodes' auth deadline in this bench: 100,000 logins queue at the user's SET, and on a
     * box shared with builds (load average 44) a few waited past the default 10 s and the run
     * failed. The bench measures holding idle links; admission under load is measured elsewhere.
     */
    private static final int AUTH_TIMEOUT_MS = 120_000;

    @Option(names = "--links", defaultValue = "114000", description = "Idle authenticated links in all (default ${DEFAULT-VALUE})")
    long links;

    @Option(names = "--access-nodes", defaultValue = "6", description = "Access node processes (default ${DEFAULT-VALUE})")
    int accessNodes;

    @Option(names = "--workers", defaultValue = "6", description = "Client worker processes, each on its own 127.0.0.x (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--sets", defaultValue = "1", description = "Data SETs of 3 store replicas (default ${DEFAULT-VALUE})")
    int sets;

    @Option(names = "--notify-sample", defaultValue = "1000", description = "Idle users sent a message to time their Notify (default ${DEFAULT-VALUE})")
    int notifySample;

    @Option(names = "--notify-rate-per-s", defaultValue = "100", description = "Messages per second to the sample, open loop (default ${DEFAULT-VALUE})")
    int notifyRatePerS;

    @Option(names = "--notify-wait-s", defaultValue = "30", description = "How long after the last send a Notify may still come (default ${DEFAULT-VALUE})")
    int notifyWaitS;

    @Option(names = "--connect-concurrency", defaultValue = "64", description = "Links being opened at once per worker at most (default ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Option(names = "--storm", paramLabel = "drain|kill", description = "drain or kill: fill the first access node with the links, then drain (SIGTERM) or kill -9 it"
            + " and time the clients coming back on the others (default: no storm, idle links spread over every node)")
    String stormName;

    /** {@code --storm} parsed by {@link #invalidOptions()}; null: no storm. */
    private ReconnectStorm.Kind storm;

    @Option(names = "--storm-messages", defaultValue = "1000", description = "With --storm: users of the node sent a message during the storm,"
            + " each must be delivered by a sync (default ${DEFAULT-VALUE})")
    int stormMessages;

    @Option(names = "--storm-wait-s", defaultValue = "120", description = "With --storm: longest wait for every client back and synced"
            + " (default ${DEFAULT-VALUE})")
    int stormWaitS;

    @Option(names = "--storm-warmup-logins", defaultValue = "3000", description = "With --storm: logins on every other access node before the storm,"
            + " of users of their own, closed again, so the survivors run their login path compiled as a node that has served a while does"
            + " (default ${DEFAULT-VALUE}; 0: survivors as fresh JVMs)")
    int stormWarmupLogins;

    @Option(names = "--access-option", paramLabel = "key=value", description = "A setting for every access node, e.g."
            + " access.auth.inflight.max=256 (repeatable; docs/operations.md)")
    List<String> accessOptions = new ArrayList<>();

    @Option(names = "--base-port", defaultValue = "7400", description = "First port of the cluster (default ${DEFAULT-VALUE})")
    int basePort;

    @Option(names = "--dir", description = "Scratch directory (default: a new one under java.io.tmpdir, deleted at the end)")
    Path dir;

    @Option(names = "--timeout-s", defaultValue = "900", description = "The whole run ends within this (default ${DEFAULT-VALUE})")
    int timeoutS;

    /** Ports the cluster takes from {@code --base-port} ({@code LocalCluster.up}). */
    static int portCount(int sets, int accessNodes) {
        return 6 * (sets + 1) + 2 + 3 * accessNodes;
    }

    @Override
    public Integer call() throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        String invalid = invalidOptions();
        if (invalid != null) {
            System.err.println("bench connections: " + invalid);
            return 2;
        }
        for (int port = basePort; port < basePort + portCount(sets, accessNodes); port++) {
            if (!BenchCommand.free(port)) {
                System.err.printf(Locale.ROOT, "bench connections: port %d is taken on 127.0.0.1 (the cluster needs %d ports from --base-port=%d):"
                        + " stop what holds it or pick another --base-port%n", port, portCount(sets, accessNodes), basePort);
                return 1;
            }
        }
        boolean scratchIsOurs = dir == null;
        Path scratch = scratchIsOurs ? Files.createTempDirectory("synkit-bench-connections") : dir;
        Files.createDirectories(scratch);
        InterruptCleanup interrupted = InterruptCleanup.register(scratchIsOurs ? scratch : null);
        EventLoopGroup loops = NettyThreads.group("bench-connections", 1);
        LocalCluster cluster = null;
        try (ClientWorkers clientWorkers = new ClientWorkers()) {
            System.out.printf(Locale.ROOT, "bench connections: links=%d access_nodes=%d workers=%d sets=%d%s%s cores=%d load_average=%s%n", links,
                    accessNodes, workers, sets, storm == null ? "" : " storm=" + storm.name().toLowerCase(Locale.ROOT) + " storm_messages=" + stormMessages,
                    accessOptions.isEmpty() ? "" : " access_options=" + String.join(",", accessOptions),
                    Runtime.getRuntime().availableProcessors(), BenchCommand.loadAverage());
            List<String> accessArgs = new ArrayList<>(LinksBenchCommand.IDLE_ACCESS_ARGS);
            if (storm == null) {
                accessArgs.add("--access.auth.timeout.ms=" + AUTH_TIMEOUT_MS);
            }
            accessOptions.forEach(option -> accessArgs.add("--" + option));
            cluster = LocalCluster.up(scratch.resolve("cluster"), sets, basePort, List.of(), LocalCluster.PeerAddressing.DIRECT, accessNodes, accessArgs);
            List<AccessNode> nodes = accessNodes(cluster);
            List<LinksBenchCommand.Snapshot> before = new ArrayList<>();
            for (AccessNode node : nodes) {
                before.add(LinksBenchCommand.snapshot(node.pid(), node.adminPort(), deadlineNs));
            }
            long startNs = System.nanoTime();
            startWorkers(clientWorkers, scratch, cluster.accessClients());
            Map<Integer, Long> opened = clientWorkers.awaitOpened(deadlineNs);
            long openedTotal = opened.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf(Locale.ROOT, "workers opened %d links in %.1f s%n", openedTotal, (System.nanoTime() - startNs) / 1e9);
            if (storm != null) {
                return storm(cluster, nodes, clientWorkers, loops, deadlineNs);
            }
            List<String> rows = new ArrayList<>();
            long sessionsTotal = 0;
            long sessionsMin = Long.MAX_VALUE;
            for (int n = 0; n < nodes.size(); n++) {
                AccessNode node = nodes.get(n);
                long sessions = sessions(LinksBenchCommand.get(node.adminPort(), "/status", deadlineNs));
                LinksBenchCommand.Snapshot after = LinksBenchCommand.snapshot(node.pid(), node.adminPort(), deadlineNs);
                sessionsTotal += sessions;
                sessionsMin = Math.min(sessionsMin, sessions);
                rows.add(String.format(Locale.ROOT, "| %s | %,d | %,.0f B | %,.0f B | %,.0f B |", node.name(), sessions,
                        perLink(after.liveBytes() - before.get(n).liveBytes(), sessions),
                        perLink(after.oldGenUsedBytes() - before.get(n).oldGenUsedBytes(), sessions),
                        perLink(after.rssBytes() - before.get(n).rssBytes(), sessions)));
            }
            System.out.println("| access node | links | heap per link (live objects) | heap per link (old gen metric) | RSS per link |");
            System.out.println("|---|---|---|---|---|");
            rows.forEach(System.out::println);
            NotifyProbe.Result notify = NotifyProbe.run(loops, nodes.get(0).client(), clientWorkers, links, notifySample, notifyRatePerS, links + 1,
                    TimeUnit.SECONDS.toNanos(notifyWaitS), deadlineNs);
            report(sessionsTotal, sessionsMin, notify);
            return notify.missing() == 0 && notify.sendErrors().isEmpty() && sessionsTotal == links ? 0 : 1;
        } finally {
            if (cluster != null) {
                cluster.down();
            }
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (scratchIsOurs) {
                Directories.deleteTree(scratch);
            }
            interrupted.unregister();
        }
    }

    /** Links per access node before the storm, then the storm: 0 when every client came back and synced and nothing was lost. */
    private int storm(LocalCluster cluster, List<AccessNode> nodes, ClientWorkers clientWorkers, EventLoopGroup loops, long deadlineNs)
            throws Exception {
        for (AccessNode node : nodes) {
            System.out.printf(Locale.ROOT, "%s: %,d links%n", node.name(), sessions(LinksBenchCommand.get(node.adminPort(), "/status", deadlineNs)));
        }
        warmUp(nodes.subList(1, nodes.size()), loops, deadlineNs);
        String leaving = nodes.get(0).name();
        ReconnectStorm.GoAway goAway = storm == ReconnectStorm.Kind.KILL ? () -> cluster.kill(leaving)
                : () -> cluster.process(leaving).orElseThrow(() -> new IOException(leaving + " is not running")).destroy();
        AccessNode survivor = nodes.get(1);
        String metricsBefore = LinksBenchCommand.get(survivor.adminPort(), "/metrics", deadlineNs);
        ReconnectStorm.Result result = ReconnectStorm.run(storm, goAway, loops, survivor.client(), clientWorkers, (int) links, stormMessages,
                TimeUnit.SECONDS.toNanos(stormWaitS), deadlineNs);
        String metricsAfter = LinksBenchCommand.get(survivor.adminPort(), "/metrics", deadlineNs);
        LoginLatency.Percentiles waits = LoginLatency.between(LoginLatency.Reading.of(metricsBefore, LoginLatency.AUTH_WAIT),
                LoginLatency.Reading.of(metricsAfter, LoginLatency.AUTH_WAIT));
        LoginLatency.Percentiles atNode = LoginLatency.between(LoginLatency.Reading.of(metricsBefore), LoginLatency.Reading.of(metricsAfter));
        System.out.printf(Locale.ROOT, "Auths at %s waited for its event loops (link accepted to Auth read, %s), %,d Auths: p50 <= %.0f ms,"
                + " p99 <= %.0f ms%n", survivor.name(), LoginLatency.AUTH_WAIT, waits.logins(), waits.p50Ms(), waits.p99Ms());
        System.out.printf(Locale.ROOT, "auth latency at %s (Auth read to AuthResponse written, %s), %,d logins: p50 <= %.0f ms,"
                + " p99 <= %.0f ms (histogram bucket bounds); Auths it refused for want of a login slot: %,d%n", survivor.name(), LoginLatency.LOGIN,
                atNode.logins(), atNode.p50Ms(), atNode.p99Ms(), atNode.paced());
        return result.complete() ? 0 : 1;
    }

    /**
     * Logs {@code --storm-warmup-logins} users in on each survivor and closes them again. Without
     * it the survivors are JVMs that have served one login (the ready probe): in the storm their
     * compilers ran beside the logins, and at 3,000 clients the auth latency's median was 1.5 s
     * with compilers on every node against 0.12 s with the cheap C1 compiler only
     * (docs/benchmarks.md). A production node has served logins before it is a survivor.
     */
    private void warmUp(List<AccessNode> survivors, EventLoopGroup loops, long deadlineNs) throws Exception {
        if (stormWarmupLogins == 0) {
            return;
        }
        // Users after the clients and the storm's sender (links + 1), from 127.0.0.1 as the sender.
        long firstUserId = links + 2;
        for (AccessNode survivor : survivors) {
            long startNs = System.nanoTime();
            List<Channel> warm = IdleLinks.open(loops, List.of(survivor.client()), stormWarmupLogins, firstUserId, 1, connectConcurrency,
                    IdleLinks.Pushes.IGNORED, deadlineNs);
            warm.forEach(Channel::close);
            while (sessions(LinksBenchCommand.get(survivor.adminPort(), "/status", deadlineNs)) > 0) {
                if (System.nanoTime() > deadlineNs) {
                    throw new TimeoutException("the warm-up links did not leave " + survivor.name() + " within --timeout-s");
                }
                Thread.sleep(50); // polling another process's state: it has no event to wait on
            }
            System.out.printf(Locale.ROOT, "%s warmed up: %,d logins in %.1f s%n", survivor.name(), stormWarmupLogins, (System.nanoTime() - startNs) / 1e9);
            firstUserId += stormWarmupLogins;
        }
    }

    /** What is wrong with the options together, or null. */
    private String invalidOptions() {
        long fdsMax = LinksBenchCommand.fileDescriptorsMax();
        long perProcessMax = fdsMax - LinksBenchCommand.FDS_RESERVED;
        if (accessNodes < 1 || workers < 1 || sets < 1 || workers > SOURCE_ADDRESS_CHOICES) {
            return "--access-nodes=" + accessNodes + " and --sets=" + sets + " must be >= 1, --workers=" + workers + " in [1, " + SOURCE_ADDRESS_CHOICES + "]";
        }
        if (links < workers || ceilDiv(links, workers) > Math.min(perProcessMax, IdleLinks.LINKS_PER_SOURCE_ADDRESS)
                || ceilDiv(links, accessNodes) > perProcessMax) {
            return String.format(Locale.ROOT, "--links=%d over --workers=%d and --access-nodes=%d: each process may open %d files and needs %d besides"
                    + " its links, so at most %d links per worker and per access node (and at least one per worker)", links, workers, accessNodes,
                    fdsMax, LinksBenchCommand.FDS_RESERVED, perProcessMax);
        }
        if (stormName != null) {
            try {
                storm = ReconnectStorm.Kind.valueOf(stormName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return "--storm=" + stormName + " must be drain or kill";
            }
        }
        if (storm != null && (accessNodes < 2 || links > perProcessMax || stormMessages < 1 || stormMessages > links || stormWaitS < 1
                || stormWarmupLogins < 0 || stormWarmupLogins > IdleLinks.LINKS_PER_SOURCE_ADDRESS || workers * sourcesPerWorker() > SOURCE_ADDRESS_CHOICES)) {
            return String.format(Locale.ROOT, "--storm needs --access-nodes >= 2 (one goes away), --links=%d at most %d (one node holds them all),"
                    + " --storm-messages=%d in [1, --links], --storm-wait-s >= 1, --storm-warmup-logins=%d in [0, %d], --workers=%d x %d source addresses"
                    + " at most %d", links, perProcessMax, stormMessages, stormWarmupLogins, IdleLinks.LINKS_PER_SOURCE_ADDRESS, workers, sourcesPerWorker(),
                    SOURCE_ADDRESS_CHOICES);
        }
        if (storm == null && (notifySample < 1 || notifySample > links || notifyRatePerS < 1)) {
            return "--notify-sample=" + notifySample + " must be in [1, --links=" + links + "], --notify-rate-per-s=" + notifyRatePerS + " >= 1";
        }
        return null;
    }

    /** Source addresses of one worker: one, or with a storm one per {@link StormClient#CLIENTS_PER_SOURCE_ADDRESS} of its clients. */
    private int sourcesPerWorker() {
        return storm == null ? 1 : (int) ceilDiv(ceilDiv(links, workers), StormClient.CLIENTS_PER_SOURCE_ADDRESS);
    }

    /**
     * Worker {@code w} holds users [1 + w * links / workers, ...), from source addresses of its own
     * (one, or with a storm one per {@link StormClient#CLIENTS_PER_SOURCE_ADDRESS} clients), to every
     * access node in turn.
     */
    private void startWorkers(ClientWorkers clientWorkers, Path scratch, String accessClients) throws IOException {
        int sourcesPerWorker = sourcesPerWorker();
        int firstSource = 2 + new SplittableRandom().nextInt(SOURCE_ADDRESS_CHOICES - workers * sourcesPerWorker + 1);
        for (int w = 0; w < workers; w++) {
            long first = w * links / workers;
            long next = (w + 1) * links / workers;
            List<String> args = new ArrayList<>(List.of("--clients=" + accessClients, "--links=" + (next - first), "--first-user=" + (1 + first),
                    "--source=" + (firstSource + w * sourcesPerWorker), "--connect-concurrency=" + connectConcurrency, "--timeout-s=" + timeoutS));
            if (storm != null) {
                args.add("--storm");
            }
            clientWorkers.start(scratch, args);
        }
    }

    /** One access node of the cluster: its process, client address and admin port. */
    private record AccessNode(String name, long pid, InetSocketAddress client, int adminPort) {
    }

    private static List<AccessNode> accessNodes(LocalCluster cluster) throws IOException {
        List<AccessNode> nodes = new ArrayList<>();
        List<String> clients = List.of(cluster.accessClients().split(","));
        for (int n = 0; n < cluster.accessNodes().size(); n++) {
            String name = cluster.accessNodes().get(n);
            String admin = cluster.adminAddress(name).orElseThrow(() -> new IOException("access node " + name + " has no admin port"));
            String client = clients.get(n);
            nodes.add(new AccessNode(name, cluster.process(name).orElseThrow(() -> new IOException("access node " + name + " is not running")).pid(),
                    new InetSocketAddress("127.0.0.1", Integer.parseInt(client.substring(client.lastIndexOf(':') + 1))),
                    Integer.parseInt(admin.substring(admin.lastIndexOf(':') + 1))));
        }
        return nodes;
    }

    private static long sessions(String status) throws IOException {
        Matcher matcher = SESSIONS.matcher(status);
        if (!matcher.find()) {
            throw new IOException("no sessions= in an access node's /status: " + status.trim());
        }
        return Long.parseLong(matcher.group(1));
    }

    private void report(long sessionsTotal, long sessionsMin, NotifyProbe.Result notify) {
        System.out.printf(Locale.ROOT, "links per access node: min %,d (target >= %,d: %s)%n", sessionsMin, LINKS_PER_PROCESS_TARGET,
                sessionsMin >= LINKS_PER_PROCESS_TARGET ? "met" : "not met");
        System.out.printf(Locale.ROOT, "links in all: %,d of %,d (target >= %,d: %s)%n", sessionsTotal, links, LINKS_TOTAL_TARGET,
                sessionsTotal >= LINKS_TOTAL_TARGET ? "met" : "not met");
        System.out.printf(Locale.ROOT, "notify latency to idle links (%d sent at %d/s, %d without notify): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms,"
                        + " max %.1f ms%n", notify.sampled(), notifyRatePerS, notify.missing(), notify.latency().p50Ms(), notify.latency().p99Ms(),
                notify.latency().p999Ms(), notify.latency().maxMs());
        if (!notify.sendErrors().isEmpty()) {
            System.out.printf(Locale.ROOT, "sender got %d errors, first: %s%n", notify.sendErrors().size(), notify.sendErrors().get(0));
        }
    }

    private static double perLink(long bytes, long linkCount) {
        return linkCount == 0 ? 0 : bytes / (double) linkCount;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

package io.synkit.ops.cluster;

import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.AdminServer;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cluster of real processes on this machine, described by a directory: {@code cluster.properties}
 * (topology and the cluster id), {@code <node>.args} (each process's command line),
 * {@code <node>.pid}, {@code logs/<node>.log} and, for a node a release moved to another build,
 * {@code <node>.classpath}. Nodes are named {@code s<set>-r<replica>} for
 * store replicas, {@code logic} and {@code access}. Ports are consecutive from a base port.
 *
 * <p>Only its own processes count: each node is started with the cluster's id
 * ({@link NodeStart}), a start returns once the node printed READY and its admin port answers as
 * that process of this cluster, and a pid file counts only while its process carries the id on
 * its command line. Another cluster on the same ports makes a start fail, naming the port; it is
 * never queried, written or signalled as if it were this one.
 *
 * <p>A cluster started by this JVM ({@link #up}) is stopped when this JVM exits unless
 * {@link #keepRunningAfterExit()} is called; {@link #down()} stops every process this object
 * ever started, restarted ones included, and refuses later starts.
 */
public final class LocalCluster {

    public static final String TOPOLOGY_FILE = "cluster.properties";
    /** The SET holding the slot map (and, later, the rest of the topology). */
    public static final String META_SET = "meta";
    private static final long META_BOOTSTRAP_TIMEOUT_MS = 60_000;
    /** Until READY: a JVM on a loaded 2-core box takes seconds to start, and {@link #up} starts a dozen at once. */
    private static final long READY_TIMEOUT_MS = 120_000;
    /** From SIGTERM to SIGKILL in {@link #down()}: access nodes drain, stores finish queued writes. */
    private static final long STOP_GRACE_MS = 15_000;
    /** Longest wait for every thread of a paused node to stop (normally microseconds). */
    private static final long PAUSE_WAIT_MS = 10_000;
    private static final String CLUSTER_ID_KEY = "cluster.id";
    private static final String LAYOUT_SINGLE_SET = "single-set";

    private final Path dir;
    private final Properties topology;
    private final String clusterId;
    private final StartedProcesses started = new StartedProcesses();

    private LocalCluster(Path dir, Properties topology) throws IOException {
        this.dir = dir;
        this.topology = topology;
        this.clusterId = topology.getProperty(CLUSTER_ID_KEY);
        if (clusterId == null) {
            throw new IOException("the cluster in " + dir + " has no " + CLUSTER_ID_KEY + " (laid out by an older ops): stop its processes by their"
                    + " pid files and run 'ops cluster up' with a fresh --dir");
        }
    }

    /**
     * Lays out and starts the meta SET and {@code setCount} data SETs of 3 replicas each, one logic
     * node and one access node, then stores the first slot map (slots spread evenly) in the meta
     * SET. Ports from {@code basePort}: per replica an RPC and an admin port (meta SET first), then
     * logic, then access: {@code 6 * (setCount + 1) + 5} in all.
     */
    public static LocalCluster up(Path dir, int setCount, int basePort, List<String> extraStoreArgs) throws IOException, InterruptedException {
        return up(dir, setCount, basePort, extraStoreArgs, PeerAddressing.DIRECT);
    }

    /** How one replica reaches a peer: directly, or through a {@link PeerLink} that a test can cut. */
    public interface PeerAddressing {
        String peerAddress(String fromNode, String toNode, String toAddress) throws InterruptedException;

        PeerAddressing DIRECT = (fromNode, toNode, toAddress) -> toAddress;
    }

    /** As {@link #up(Path, int, int, List)}, with each replica's view of its peers' addresses given by {@code peers}. */
    public static LocalCluster up(Path dir, int setCount, int basePort, List<String> extraStoreArgs, PeerAddressing peers)
            throws IOException, InterruptedException {
        return up(dir, setCount, basePort, extraStoreArgs, peers, 1);
    }

    /**
     * As above with {@code accessCount} access nodes ({@code access}, {@code access-2}, …, 3 ports
     * each): one process holds fewer than 20,000 sockets, so more connections need more nodes.
     */
    public static LocalCluster up(Path dir, int setCount, int basePort, List<String> extraStoreArgs, PeerAddressing peers, int accessCount)
            throws IOException, InterruptedException {
        return up(dir, setCount, basePort, extraStoreArgs, peers, accessCount, List.of());
    }

    /** As above with {@code extraAccessArgs} added to every access node's command line (a bench keeps its idle links open so). */
    public static LocalCluster up(Path dir, int setCount, int basePort, List<String> extraStoreArgs, PeerAddressing peers, int accessCount,
                                  List<String> extraAccessArgs) throws IOException, InterruptedException {
        return up(dir, setCount, basePort, extraStoreArgs, peers, accessCount, extraAccessArgs, List.of());
    }

    /** As above with {@code extraLogicArgs} added to the logic node's command line (a scenario lowers a group limit so). */
    public static LocalCluster up(Path dir, int setCount, int basePort, List<String> extraStoreArgs, PeerAddressing peers, int accessCount,
                                  List<String> extraAccessArgs, List<String> extraLogicArgs) throws IOException, InterruptedException {
        if (accessCount < 1) {
            throw new IllegalArgumentException("accessCount=" + accessCount + " must be >= 1");
        }
        Properties topology = newTopology(dir);
        Map<String, List<String>> commands = new LinkedHashMap<>();
        List<String> metaReplicas = addStoreSet(dir, META_SET, basePort, List.of(), extraStoreArgs, peers, commands, topology);
        int port = basePort + 6;
        List<String> setSpecs = new ArrayList<>();
        for (int set = 1; set <= setCount; set++) {
            List<String> replicas = addStoreSet(dir, "s" + set, port, metaReplicas, extraStoreArgs, peers, commands, topology);
            port += 6;
            setSpecs.add("s" + set + "=" + String.join("|", replicas));
        }
        int logicPort = port;
        List<String> logic = new ArrayList<>(List.of("io.synkit.logic.LogicServerMain", "--logic.port=" + logicPort, "--logic.admin.port=" + (logicPort + 1),
                "--logic.meta.replicas=" + String.join(",", metaReplicas)));
        logic.addAll(extraLogicArgs);
        commands.put("logic", List.copyOf(logic));
        List<String> accessNodes = new ArrayList<>();
        List<String> accessClients = new ArrayList<>();
        for (int a = 0; a < accessCount; a++) {
            accessNodes.add(a == 0 ? "access" : "access-" + (a + 1));
            accessClients.add("127.0.0.1:" + (logicPort + 2 + 3 * a));
        }
        for (int a = 0; a < accessCount; a++) {
            int accessPort = logicPort + 2 + 3 * a;
            List<String> command = new ArrayList<>(List.of("io.synkit.access.AccessServerMain", "--access.port=" + accessPort,
                    "--access.push.port=" + (accessPort + 1), "--access.admin.port=" + (accessPort + 2), "--access.logic.nodes=127.0.0.1:" + logicPort));
            // The other access nodes' client addresses: told to clients at login and in a drain's GoAway.
            List<String> otherAccess = new ArrayList<>(accessClients);
            otherAccess.remove(a);
            if (!otherAccess.isEmpty()) {
                command.add("--access.peer.addresses=" + String.join(",", otherAccess));
            }
            command.addAll(extraAccessArgs);
            commands.put(accessNodes.get(a), List.copyOf(command));
        }
        topology.setProperty("sets", Integer.toString(setCount));
        topology.setProperty("store.sets", String.join(",", setSpecs));
        topology.setProperty("meta.replicas", String.join(",", metaReplicas));
        topology.setProperty("logic.rpc", "127.0.0.1:" + logicPort);
        topology.setProperty("access.clients", String.join(",", accessClients));
        topology.setProperty("access.nodes", String.join(",", accessNodes));
        topology.setProperty("access.admin", "127.0.0.1:" + (logicPort + 4));
        LocalCluster cluster = writeAndStart(dir, topology, commands, "synkit local cluster");
        // The meta SET elects a primary, then takes the first slot map: the data SETs and the
        // logic node wait for it (not ready until then). Every node answered as this cluster's.
        try (SlotMapAdmin admin = new SlotMapAdmin(metaReplicas)) {
            admin.put(0, SlotMap.parse(1, SlotMap.SLOT_COUNT_DEFAULT, String.join(",", setSpecs)), META_BOOTSTRAP_TIMEOUT_MS);
        } catch (RpcException e) {
            cluster.down();
            throw new IOException("cannot store the first slot map in " + dir + " (" + e.getMessage() + "): " + (e.retryable()
                    ? "the meta SET elected no primary within " + META_BOOTSTRAP_TIMEOUT_MS + " ms (see logs/meta-r*.log)"
                    : "its meta SET holds another map, so the directory holds the data of a cluster with another layout; use a fresh --dir"), e);
        }
        return cluster;
    }

    /**
     * Lays out and starts one SET of 3 store replicas ({@code s1}) and nothing else: no meta SET
     * (the replicas own every slot), no logic or access node. For benchmarks of the SET itself.
     * Ports from {@code basePort}: 6 (an RPC and an admin port per replica).
     */
    public static LocalCluster upSingleSet(Path dir, int basePort, List<String> extraStoreArgs) throws IOException, InterruptedException {
        Properties topology = newTopology(dir);
        Map<String, List<String>> commands = new LinkedHashMap<>();
        List<String> replicas = addStoreSet(dir, "s1", basePort, List.of(), extraStoreArgs, PeerAddressing.DIRECT, commands, topology);
        topology.setProperty("sets", "1");
        topology.setProperty("store.sets", "s1=" + String.join("|", replicas));
        topology.setProperty("layout", LAYOUT_SINGLE_SET);
        return writeAndStart(dir, topology, commands, "synkit local cluster: one SET only");
    }

    /**
     * A topology with a new cluster id, for a directory where no cluster of ours runs (a second
     * {@code up} in one directory would overwrite the running cluster's pid files and orphan it).
     */
    private static Properties newTopology(Path dir) throws IOException {
        if (Files.exists(dir.resolve(TOPOLOGY_FILE))) {
            LocalCluster existing = open(dir);
            for (String node : existing.nodes()) {
                Optional<ProcessHandle> running = existing.process(node);
                if (running.isPresent()) {
                    throw new IOException("a cluster runs in " + dir + " (node " + node + ", pid " + running.get().pid()
                            + "): take it down first, or use another --dir");
                }
            }
        }
        Files.createDirectories(dir.resolve("logs"));
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        Properties topology = new Properties();
        topology.setProperty(CLUSTER_ID_KEY, HexFormat.of().formatHex(id));
        return topology;
    }

    /**
     * Saves the topology and each node's command line, starts every node and waits until all are
     * ready; if one is not, stops them all and throws naming it. The processes stop when this JVM
     * exits, until {@link #keepRunningAfterExit()}.
     */
    private static LocalCluster writeAndStart(Path dir, Properties topology, Map<String, List<String>> commands, String comment)
            throws IOException, InterruptedException {
        try (Writer out = Files.newBufferedWriter(dir.resolve(TOPOLOGY_FILE))) {
            topology.store(out, comment);
        }
        LocalCluster cluster = new LocalCluster(dir, topology);
        cluster.started.stopOnExit();
        try {
            List<NodeStart> starts = new ArrayList<>();
            for (Map.Entry<String, List<String>> node : commands.entrySet()) {
                Files.write(dir.resolve(node.getKey() + ".args"), node.getValue());
                starts.add(cluster.launch(node.getKey(), node.getValue()));
            }
            NodeStart.awaitAll(starts, cluster.clusterId, READY_TIMEOUT_MS);
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.down();
            throw e;
        }
        return cluster;
    }

    /** Leaves the processes running when this JVM exits ({@code ops cluster up} exits once the cluster is up). */
    public void keepRunningAfterExit() {
        started.keepOnExit();
    }

    /** Whether this cluster has a meta SET (every cluster but a {@link #upSingleSet single-SET} one). */
    public boolean hasMetaSet() {
        return !LAYOUT_SINGLE_SET.equals(topology.getProperty("layout"));
    }

    /** Adds the three replicas of {@code setId} at ports {@code firstPort}.. (RPC and admin each) and returns their RPC addresses. */
    private static List<String> addStoreSet(Path dir, String setId, int firstPort, List<String> metaReplicas, List<String> extraStoreArgs,
                                            PeerAddressing peers, Map<String, List<String>> commands, Properties topology)
            throws InterruptedException {
        List<String> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            replicas.add("127.0.0.1:" + (firstPort + 2 * r));
        }
        for (int r = 0; r < 3; r++) {
            String node = setId + "-r" + r;
            int rpcPort = firstPort + 2 * r;
            List<String> view = new ArrayList<>();
            for (int peer = 0; peer < 3; peer++) {
                view.add(peer == r ? replicas.get(peer) : peers.peerAddress(node, setId + "-r" + peer, replicas.get(peer)));
            }
            List<String> args = new ArrayList<>(List.of("io.synkit.store.StoreServerMain", "--store.set.id=" + setId,
                    "--store.data.dir=" + dir.resolve("data").resolve(node), "--store.port=" + rpcPort, "--store.admin.port=" + (rpcPort + 1),
                    "--store.replicas=" + String.join(",", view), "--store.replica.index=" + r));
            if (!metaReplicas.isEmpty()) {
                args.add("--store.meta.replicas=" + String.join(",", metaReplicas));
            }
            args.addAll(extraStoreArgs);
            commands.put(node, args);
            topology.setProperty("store." + node + ".rpc", "127.0.0.1:" + rpcPort);
            topology.setProperty("store." + node + ".admin", "127.0.0.1:" + (rpcPort + 1));
        }
        return replicas;
    }

    public static LocalCluster open(Path dir) throws IOException {
        Path file = dir.resolve(TOPOLOGY_FILE);
        if (!Files.exists(file)) {
            throw new IOException("no cluster at " + dir + " (missing " + TOPOLOGY_FILE + "; run 'ops cluster up' first)");
        }
        Properties topology = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            topology.load(in);
        }
        return new LocalCluster(dir, topology);
    }

    public Path dir() {
        return dir;
    }

    public int setCount() {
        return Integer.parseInt(topology.getProperty("sets"));
    }

    /** Client addresses of the access nodes, comma-separated (one per access node). */
    public String accessClients() {
        return topology.getProperty("access.clients");
    }

    /** Access node names: {@code access}, then {@code access-2}, … */
    public List<String> accessNodes() {
        return List.of(topology.getProperty("access.nodes", "access").split(","));
    }

    public String storeRpc(String node) {
        return topology.getProperty("store." + node + ".rpc");
    }

    /** The meta SET's replica addresses. */
    public List<String> metaReplicas() {
        return List.of(topology.getProperty("meta.replicas").split(","));
    }

    /** The RPC addresses of the meta replicas whose process of this cluster runs: the only ones a tool may ask or write to. */
    public List<String> runningMetaReplicas() throws IOException {
        List<String> running = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            String node = META_SET + "-r" + r;
            if (process(node).isPresent()) {
                running.add(storeRpc(node));
            }
        }
        return running;
    }

    /** Every store replica: the meta SET's first, then each data SET's. */
    public List<String> storeNodes() {
        List<String> nodes = new ArrayList<>();
        if (hasMetaSet()) {
            for (int r = 0; r < 3; r++) {
                nodes.add(META_SET + "-r" + r);
            }
        }
        for (int set = 1; set <= setCount(); set++) {
            for (int r = 0; r < 3; r++) {
                nodes.add("s" + set + "-r" + r);
            }
        }
        return nodes;
    }

    /** The logic and access nodes (none in a single-SET cluster). */
    public List<String> serverNodes() {
        List<String> nodes = new ArrayList<>();
        if (hasMetaSet()) {
            nodes.add("logic");
            nodes.addAll(accessNodes());
        }
        return nodes;
    }

    /** The node's admin HTTP address ({@code 127.0.0.1:<port>}) from its saved command line; empty when it has none. */
    public Optional<String> adminAddress(String node) throws IOException {
        return NodeStart.adminAddress(Files.readAllLines(dir.resolve(node + ".args")));
    }

    /** Every node: the store replicas, then (unless single-SET) logic and the access nodes. */
    public List<String> nodes() {
        List<String> nodes = new ArrayList<>(storeNodes());
        nodes.addAll(serverNodes());
        return nodes;
    }

    /**
     * Starts a node from its saved command line and returns once it is ready (printed READY,
     * answers as this cluster's process); if it exits or is not ready in time, kills it and throws
     * with the last lines of its log.
     */
    public void start(String node) throws IOException, InterruptedException {
        start(node, List.of());
    }

    /**
     * A store replica loses its disk: SIGKILL, delete its data directory, start it again empty as
     * a joining replica (it catches up from a snapshot and does not vote until it has).
     */
    public void wipe(String node) throws IOException, InterruptedException {
        loseDisk(node);
        startJoining(node);
    }

    /** The first half of {@link #wipe}: SIGKILL and delete the data directory; the node stays down. */
    public void loseDisk(String node) throws IOException, InterruptedException {
        String dataArg = Files.readAllLines(dir.resolve(node + ".args")).stream().filter(arg -> arg.startsWith("--store.data.dir=")).findFirst()
                .orElseThrow(() -> new IOException("node " + node + " is not a store replica (no --store.data.dir)"));
        kill(node);
        Directories.deleteTree(Path.of(dataArg.substring("--store.data.dir=".length())));
    }

    /** The second half of {@link #wipe}: starts a replica that lost its disk as a joining replica. */
    public void startJoining(String node) throws IOException, InterruptedException {
        start(node, List.of("--store.replica.join=true"));
    }

    private void start(String node, List<String> extraArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(Files.readAllLines(dir.resolve(node + ".args")));
        args.addAll(extraArgs);
        NodeStart start = launch(node, args);
        try {
            NodeStart.awaitAll(List.of(start), clusterId, READY_TIMEOUT_MS);
        } catch (NodeStartException | InterruptedException e) {
            StartedProcesses.killTree(start.handle());
            throw e;
        }
    }

    private NodeStart launch(String node, List<String> args) throws IOException {
        String classPath = builds().classPath(node);
        return started.launch(node, () -> NodeStart.launch(dir, node, args, clusterId, jvmOptions(System.getProperty(JVM_OPTIONS_PROPERTY), node), classPath));
    }

    /** Which build each node starts with ({@code <node>.classpath}); a release changes it. */
    public NodeBuilds builds() {
        return new NodeBuilds(dir);
    }

    /**
     * SIGTERM and wait for the exit (graceful: a store finishes queued writes, an access node
     * drains), SIGKILL after {@link #STOP_GRACE_MS}. The node stays down.
     */
    public void stop(String node) throws IOException, InterruptedException {
        Optional<ProcessHandle> process = process(node);
        if (process.isEmpty()) {
            return;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            StartedProcesses.killTree(process.get());
            process.get().onExit().join(); // SIGKILL cannot be ignored: the exit follows at once
        }
    }

    /** The ops JVM's system property that replaces the default JVM options ({@link #jvmOptions}) for every node. */
    static final String JVM_OPTIONS_PROPERTY = "synkit.cluster.jvm.options";
    /** Stands for the node's name in {@link #JVM_OPTIONS_PROPERTY}: per-node files such as a flight recording's. */
    static final String NODE_PLACEHOLDER = "{node}";

    /**
     * JVM options of one node: {@code configured} (the system property {@link #JVM_OPTIONS_PROPERTY},
     * space-separated, {@link #NODE_PLACEHOLDER} replaced by the node's name) or
     * {@link #JVM_OPTIONS_DEFAULT}. (Not an environment variable: the nodes read every
     * {@code SYNKIT_*} variable as configuration.)
     */
    static List<String> jvmOptions(String configured, String node) {
        if (configured == null || configured.isBlank()) {
            return JVM_OPTIONS_DEFAULT;
        }
        return Arrays.stream(configured.trim().split("\\s+")).map(option -> option.replace(NODE_PLACEHOLDER, node)).toList();
    }

    /**
     * Sized for many JVMs on a 2-core box. A node out of memory exits (the process supervisor, or
     * an operator's restart, brings it back) rather than living on with dead threads. Every node
     * compiles with C1 only (no C2): on the shared 2-core box the C2 compiler was the largest CPU
     * user of the nodes whenever their work changed (a reconnect storm: 53-57 % of a store
     * replica's CPU), on the cores the work needs. With C1 only a 19,000-client kill storm was back
     * in 12.4-13.0 s against 19.1-20.5 s, and the quick end-to-end bench lost nothing
     * (docs/benchmarks.md, A/Bs of 2026-11-30). Cores of their own (the Kubernetes manifests) keep
     * both compilers.
     */
    static final List<String> JVM_OPTIONS_DEFAULT = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");

    /**
     * The node's running process: the one its pid file names, if it runs and carries this
     * cluster's id on its command line (a pid file outlives its process, and the pid may since
     * belong to anything).
     */
    public Optional<ProcessHandle> process(String node) throws IOException {
        Path pidFile = dir.resolve(node + ".pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        String idArg = "-D" + AdminServer.CLUSTER_ID_PROPERTY + "=" + clusterId;
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive)
                .filter(process -> ProcessArguments.of(process).map(args -> args.contains(idArg)).orElse(false));
    }

    /** SIGKILL: no shutdown hook, no flush. */
    public void kill(String node) throws IOException, InterruptedException {
        Optional<ProcessHandle> process = process(node);
        if (process.isPresent()) {
            process.get().destroyForcibly();
            process.get().onExit().join(); // SIGKILL cannot be ignored: the exit follows at once
        }
    }

    /**
     * SIGSTOP: the process freezes mid-flight (a zombie when resumed). Returns once every thread
     * of it is stopped: {@code kill} returns when the signal is sent, and on a busy machine a
     * thread running on the other core may still answer a request for a moment after that.
     */
    public void pause(String node) throws IOException, InterruptedException {
        signal(node, "STOP");
        ProcessHandle process = process(node).orElseThrow(() -> new IOException("node " + node + " exited while being paused"));
        ProcessStates.awaitStopped(process.pid(), PAUSE_WAIT_MS);
    }

    /** SIGCONT. */
    public void resume(String node) throws IOException, InterruptedException {
        signal(node, "CONT");
    }

    private void signal(String node, String signal) throws IOException, InterruptedException {
        ProcessHandle process = process(node).orElseThrow(() -> new IOException("node " + node + " is not running"));
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " exited " + exit);
        }
    }

    /**
     * SIGTERM to every node (graceful: access drains, stores finish queued writes), then SIGKILL
     * to it and anything it started after {@link #STOP_GRACE_MS}: the nodes the pid files name
     * and every process this object started (restarts included). Later starts are refused.
     */
    public void down() throws IOException, InterruptedException {
        List<ProcessHandle> running = new ArrayList<>(started.close());
        Set<Long> pids = new HashSet<>(running.stream().map(ProcessHandle::pid).toList());
        List<String> stopOrder = new ArrayList<>(nodes());
        Collections.reverse(stopOrder); // access first, stores last
        for (String node : stopOrder) {
            process(node).filter(process -> pids.add(process.pid())).ifPresent(running::add);
        }
        running.forEach(ProcessHandle::destroy);
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MS);
        for (ProcessHandle process : running) {
            try {
                process.onExit().get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                StartedProcesses.killTree(process);
                process.onExit().join(); // SIGKILL cannot be ignored: the exit follows at once
            }
        }
    }
}

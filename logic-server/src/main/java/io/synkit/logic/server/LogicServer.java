package io.synkit.logic.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.synkit.logic.device.DevicePath;
import io.synkit.logic.device.Presence;
import io.synkit.logic.device.SessionEnds;
import io.synkit.logic.group.ConversationMembers;
import io.synkit.logic.group.GroupPath;
import io.synkit.logic.history.HistoryPath;
import io.synkit.logic.readstate.ReadStatePath;
import io.synkit.logic.notify.Notifier;
import io.synkit.logic.outbox.OutboxCompletions;
import io.synkit.logic.outbox.OutboxRedriver;
import io.synkit.logic.route.RoutePath;
import io.synkit.logic.send.Delivery;
import io.synkit.logic.send.Fanout;
import io.synkit.logic.send.SendPath;
import io.synkit.logic.store.SetProbe;
import io.synkit.logic.store.SlotMaps;
import io.synkit.logic.store.StoreClient;
import io.synkit.logic.sync.SyncPath;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.rpc.InternalTls;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.protocol.rpc.RpcServer;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.SlotMapWatcher;
import io.synkit.runtime.AdminServer;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A stateless logic node: RPC server for access nodes, clients to store SETs and access nodes. */
public final class LogicServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogicServer.class);

    private final LogicConfig config;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private SlotMaps slotMaps;
    private SlotMapWatcher watcher;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private RpcClientPool storeClients;
    private RpcClientPool accessClients;
    private OutboxRedriver redriver;
    private ScheduledFuture<?> completionsFlush;
    private SetProbe setProbe;
    private RpcServer rpc;
    private AdminServer admin;
    private InetSocketAddress address;

    public LogicServer(LogicConfig config) {
        this.config = config;
    }

    public LogicServer start() throws InterruptedException, IOException {
        boss = NettyThreads.group("logic-accept", 1);
        workers = NettyThreads.group("logic-io", config.ioThreads());
        InternalTls tls = config.tls().open(Clock.SYSTEM);
        storeClients = new RpcClientPool(workers, FrameLimits.internal(), config.inflightCountMax(), tls);
        accessClients = new RpcClientPool(workers, FrameLimits.internal(), config.inflightCountMax(), tls);
        if (config.metaReplicas().isEmpty()) {
            slotMaps = SlotMaps.fixed(config.fixedSlotMap());
        } else {
            watcher = new SlotMapWatcher(config.metaReplicas(), storeClients, workers, config.metaPollMs()).start();
            slotMaps = SlotMaps.watched(watcher);
        }
        StoreClient store = new StoreClient(slotMaps, storeClients, workers, new SplittableRandom(), config.storeRetry(), metrics);
        setProbe = new SetProbe(slotMaps, storeClients, workers, Clock.SYSTEM, metrics, config.setProbeIntervalMs(), config.readyPrimaryGraceMs()).start();
        Notifier notifier = new Notifier(accessClients, metrics);
        ConversationMembers members = new ConversationMembers(store);
        Fanout fanout = new Fanout(store, notifier, members);
        Delivery delivery = new Delivery(store, fanout, members, notifier);
        OutboxCompletions completions = new OutboxCompletions(store, config.outboxDoneBatchEntriesMax(), metrics);
        completionsFlush = workers.scheduleWithFixedDelay(completions::flush, config.outboxDoneFlushMs(), config.outboxDoneFlushMs(),
                TimeUnit.MILLISECONDS);
        LogicService service = new LogicService(
                new SendPath(store, delivery, completions, config.bodyBytesMax()),
                new SyncPath(store, config.syncOpsDefault(), config.syncOpsMax()),
                new RoutePath(store),
                new GroupPath(store, members, fanout, delivery, config.groupMembersMax(), config.groupChangeUsersMax(),
                        config.groupWriteDiffusionMembersMax()),
                new HistoryPath(store, config.historyEntriesMax()),
                new ReadStatePath(store, notifier, config.conversationsMax()),
                new DevicePath(store, new SessionEnds(accessClients, workers, metrics), config.loginPolicy(), new Presence(accessClients, metrics)),
                new RequestOutcomes(metrics, Clock.SYSTEM::nanoTime));
        redriver = new OutboxRedriver(store, fanout, delivery, workers, config.outboxIntervalMs(), config.outboxMinAgeMs(), metrics);
        rpc = new RpcServer("logic", service, FrameLimits.internal(), tls);
        address = rpc.start(boss, workers, new InetSocketAddress(config.bindHost(), config.port()));
        if (config.adminPort() >= 0) {
            admin = new AdminServer(new InetSocketAddress(config.bindHost(), config.adminPort()), metrics, setProbe::notReadyReason, this::status);
        }
        log.info("logic node started address={} slot_map={}", address, config.metaReplicas().isEmpty() ? "fixed" : "meta SET " + config.metaReplicas());
        return this;
    }

    public String hostPort() {
        return address.getHostString() + ":" + address.getPort();
    }

    public String status() {
        String noMap = slotMaps.notReadyReason();
        if (noMap != null) {
            return "role=logic address=" + hostPort() + " state=waiting reason=\"" + noMap + "\"";
        }
        SlotMap map = slotMaps.current();
        String notReady = setProbe.notReadyReason();
        List<String> missing = setProbe.setsWithoutPrimary();
        return "role=logic address=" + hostPort() + " state=" + (notReady == null ? "serving" : "unready") + " sets=" + map.sets().size()
                + " slot_map_version=" + map.version() + (missing.isEmpty() ? "" : " sets_without_primary=" + String.join(",", missing))
                + (notReady == null ? "" : " reason=\"" + notReady + "\"");
    }

    /** The slot map version this node routes by; 0 while none is known. */
    public long slotMapVersion() {
        return slotMaps.notReadyReason() == null ? slotMaps.current().version() : 0;
    }

    @Override
    public void close() {
        if (setProbe != null) {
            setProbe.close();
        }
        if (redriver != null) {
            redriver.close();
        }
        if (completionsFlush != null) {
            completionsFlush.cancel(false);
        }
        if (rpc != null) {
            rpc.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (storeClients != null) {
            storeClients.close();
            accessClients.close();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        log.info("logic node stopped");
    }
}

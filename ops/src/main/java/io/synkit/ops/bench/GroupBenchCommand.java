package io.synkit.ops.bench;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.Directories;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.internal.AddMembershipRequest;
import io.synkit.protocol.internal.AppendConvRequest;
import io.synkit.protocol.internal.AppendInboxRequest;
import io.synkit.protocol.internal.CreateGroupStoreRequest;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.client.ClientException;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.SynkitClient;
import io.synkit.sim.device.Delivery;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.RunRecorder;
import io.synkit.sim.device.SendRecord;
import io.synkit.sim.device.SimDevice;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.write.CommandBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops bench group}: what a group message costs by group size, under write diffusion (up to
 * {@code --write-diffusion-max} members: every member's inbox) or read diffusion (above it: the
 * conversation log only, docs/protocol.md §15.5): the storage writes of one message (counted
 * exactly with the store's own commands on a scratch store: the conversation entry and, under
 * write diffusion, every member's inbox entry); delivery latency to
 * every online member through a whole system in one JVM (every member one device, online, syncing
 * on notify; from each message's intended send time, open loop); and what one member's device
 * pays to sync after missing {@code --missed} messages of a group (pages, bytes, time).
 */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Cost of group messages by group size.")
public final class GroupBenchCommand implements Callable<Integer> {

    @Option(names = "--members", defaultValue = "500", description = "Members of the group, creator included (default ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--messages", defaultValue = "20", description = "Messages sent to the group for the delivery figures (default ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--rate", defaultValue = "2", description = "Messages per second, open loop (default ${DEFAULT-VALUE})")
    double ratePerS;

    @Option(names = "--missed", defaultValue = "10000", description = "Messages a member's device misses before it syncs (default ${DEFAULT-VALUE})")
    int missed;

    @Option(names = "--sets", defaultValue = "2", description = "Store SETs (default ${DEFAULT-VALUE})")
    int sets;

    @Option(names = "--write-diffusion-max", defaultValue = "500",
            description = "Groups above this many members are read from their log (default ${DEFAULT-VALUE})")
    int writeDiffusionMax;

    @Option(names = "--timeout-s", defaultValue = "600", description = "Bound on each phase (default ${DEFAULT-VALUE})")
    int timeoutS;

    /** Attempts of one request at most in the missed-messages phase, and the pause between them. */
    private static final int ATTEMPTS_MAX = 20;
    private static final long RETRY_PAUSE_MS = 500;

    private final TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);

    @Override
    public Integer call() throws Exception {
        System.out.printf(Locale.ROOT, "bench group: members=%d messages=%d rate=%.1f/s missed=%d sets=%d write-diffusion-max=%d (%s) cores=%d%n",
                members, messages, ratePerS, missed, sets, writeDiffusionMax, readDiffused() ? "read diffusion" : "write diffusion",
                Runtime.getRuntime().availableProcessors());
        storageWrites();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(sets, 30_000, Map.of("logic.group.members.max", Integer.toString(Math.max(members, 2)),
                "logic.group.write.diffusion.members.max", Integer.toString(writeDiffusionMax)))) {
            delivery(cluster);
            syncAfterMissed(cluster);
        }
        return 0;
    }

    /** Keys (puts and deletes) and bytes one message to the group writes, on the store's own commands. */
    private void storageWrites() throws Exception {
        Path dir = Files.createTempDirectory("bench-group-");
        String conv = "g:1:bench";
        List<Long> all = LongStream.rangeClosed(1, members).boxed().toList();
        try (StoreEngine engine = new StoreEngine(dir.resolve("store"))) {
            commit(engine, StoreRequest.newBuilder().setCreateGroup(CreateGroupStoreRequest.newBuilder().setConvId(conv).addAllMemberUserIds(all)
                    .setWriteDiffusionMembersMax(writeDiffusionMax)).build());
            if (readDiffused()) {
                storageWritesReadDiffused(engine, conv);
                return;
            }
            for (long user : all) {
                commit(engine, StoreRequest.newBuilder().setAddMembership(AddMembershipRequest.newBuilder().setUserId(user).setConvId(conv)).build());
            }
            try (CommandBatch send = new CommandBatch(engine, Clock.SYSTEM)) {
                MessageOp message = send.apply(StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder()
                        .setConvId(conv).setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId("m1").setContentType(ContentType.CONTENT_TYPE_TEXT)
                        .setBody(ByteString.copyFrom(new byte[200])))).build()).getAppendConv().getMessage();
                long convKeys = send.keyCount();
                for (long user : all) {
                    send.apply(StoreRequest.newBuilder().setAppendInbox(AppendInboxRequest.newBuilder().setUserId(user).setMessage(message)).build());
                }
                // + 1: the outbox mark's delete once the fan-out is done (a separate command).
                System.out.printf(Locale.ROOT, "storage writes per message: %d keys (%d at the conversation's home SET incl. the outbox delete,"
                        + " %d per member inbox x %d members), %d bytes of write batch (200-byte body)%n", send.keyCount() + 1, convKeys + 1,
                        (send.keyCount() - convKeys) / members, members, send.data().length);
            }
        } finally {
            Directories.deleteTree(dir);
        }
    }

    private boolean readDiffused() {
        return members > writeDiffusionMax;
    }

    /**
     * Read diffusion: a message is written once to the log. The group's first entry (the switch)
     * gives every member a pointer, once; the figure is a later message's.
     */
    private void storageWritesReadDiffused(StoreEngine engine, String conv) throws Exception {
        commit(engine, message(conv, "first"));
        try (CommandBatch send = new CommandBatch(engine, Clock.SYSTEM)) {
            send.apply(message(conv, "m1"));
            System.out.printf(Locale.ROOT, "storage writes per message: %d keys (all at the conversation's home SET, none per member;"
                    + " read diffusion), %d bytes of write batch (200-byte body)%n", send.keyCount(), send.data().length);
        }
    }

    private static StoreRequest message(String conv, String clientMsgId) {
        return StoreRequest.newBuilder().setAppendConv(AppendConvRequest.newBuilder().setMessage(MessageOp.newBuilder()
                .setConvId(conv).setSenderUserId(1).setSenderDeviceId("phone").setClientMsgId(clientMsgId).setContentType(ContentType.CONTENT_TYPE_TEXT)
                .setBody(ByteString.copyFrom(new byte[200])))).build();
    }

    private static void commit(StoreEngine engine, StoreRequest request) throws Exception {
        try (CommandBatch batch = new CommandBatch(engine, Clock.SYSTEM)) {
            batch.apply(request);
            try (org.rocksdb.WriteBatch durable = new org.rocksdb.WriteBatch(batch.data())) {
                engine.writeUnsynced(durable);
            }
        }
    }

    /** Every member online with one device; the creator sends; latency until each member's device has each message. */
    private void delivery(EmbeddedCluster cluster) throws Exception {
        EventLoopGroup loops = NettyThreads.group("bench-device", 2);
        try {
            RunRecorder recorder = new RunRecorder(System.nanoTime());
            List<SimDevice> devices = new ArrayList<>();
            for (long user = 1; user <= members; user++) {
                long id = user;
                devices.add(new SimDevice(user, "phone", () -> tokens.issue(id, "phone", 3600_000L), loops.next(), List.of(cluster.accessAddress()),
                        DeviceSettings.defaults(), recorder, user, "bench", Clock.SYSTEM));
            }
            long connectStartNs = System.nanoTime();
            devices.forEach(device -> device.setOnline(true));
            for (SimDevice device : devices) {
                while (!device.isReady().join()) {
                    Thread.sleep(10); // thousands of devices connect at their own pace; bounded below
                    if (System.nanoTime() - connectStartNs > TimeUnit.SECONDS.toNanos(timeoutS)) {
                        throw new IllegalStateException("devices did not all connect within " + timeoutS + " s");
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%d devices online in %.1f s%n", members, (System.nanoTime() - connectStartNs) / 1e9);
            long createStartNs = System.nanoTime();
            GroupCreated group = devices.get(0).createGroup("bench", LongStream.rangeClosed(2, members).boxed().toList()).get(timeoutS, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "group of %d created in %.1f s%n", group.getMemberUserIdsCount(), (System.nanoTime() - createStartNs) / 1e9);
            long startNs = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                long dueNs = startNs + (long) (i * 1e9 / ratePerS);
                while (System.nanoTime() < dueNs) {
                    Thread.sleep(1); // open loop: each message leaves at its intended time
                }
                devices.get(0).send(group.getConvId(), dueNs);
            }
            long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
            while (devices.stream().anyMatch(device -> device.deliveries().size() < messages)) {
                if (System.nanoTime() > deadlineNs) {
                    List<String> short_ = devices.stream().filter(device -> device.deliveries().size() < messages)
                            .map(device -> device + " has " + device.deliveries().size()).limit(5).toList();
                    throw new IllegalStateException("not every member got every message within " + timeoutS + " s: "
                            + devices.stream().filter(device -> device.deliveries().size() < messages).count() + " short, e.g. " + short_);
                }
                Thread.sleep(50); // deliveries arrive at the system's pace
            }
            report(recorder, devices);
            devices.forEach(device -> device.setOnline(false));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private void report(RunRecorder recorder, List<SimDevice> devices) {
        Histogram perMember = recorder.deliveryLatencyUs();
        Map<String, Long> lastArrivalNs = new HashMap<>();
        for (SimDevice device : devices.subList(1, devices.size())) {
            for (Delivery delivery : device.deliveries()) {
                lastArrivalNs.merge(delivery.messageKey(), delivery.receivedNanos(), Math::max);
            }
        }
        Histogram toAll = new Histogram(3_600_000_000L, 3);
        for (SendRecord send : recorder.sends()) {
            Long last = lastArrivalNs.get(send.key());
            if (last != null) {
                toAll.recordValue(Math.max(1, (last - send.intendedNanos) / 1000));
            }
        }
        System.out.printf(Locale.ROOT, "delivery to each member (n=%d): p50=%.1f ms p99=%.1f ms max=%.1f ms%n", perMember.getTotalCount(),
                perMember.getValueAtPercentile(50) / 1000.0, perMember.getValueAtPercentile(99) / 1000.0, perMember.getMaxValue() / 1000.0);
        System.out.printf(Locale.ROOT, "delivery to all %d online members (n=%d messages): p50=%.1f ms p99=%.1f ms max=%.1f ms%n", members - 1,
                toAll.getTotalCount(), toAll.getValueAtPercentile(50) / 1000.0, toAll.getValueAtPercentile(99) / 1000.0, toAll.getMaxValue() / 1000.0);
    }

    /**
     * One member sends {@code missed} messages while another member's new device is offline, then
     * that device syncs from nothing, 500 ops and log entries a page. Under write diffusion the
     * group has two members (the member's inbox holds the messages whatever the group's size, so
     * the cost does not depend on it); under read diffusion the group has {@code --members}
     * members, none online, and the device reads the messages from the group's log.
     */
    private void syncAfterMissed(EmbeddedCluster cluster) throws Exception {
        EventLoopGroup loops = NettyThreads.group("bench-missed", 1);
        long sender = 900_001;
        long reader = 900_002;
        try {
            SynkitClient from = client(loops, cluster, sender, "phone");
            CreateGroupRequest.Builder create = CreateGroupRequest.newBuilder().setName("missed").addMemberUserIds(reader);
            if (readDiffused()) {
                create.addAllMemberUserIds(LongStream.rangeClosed(1, members - 2).boxed().toList());
            }
            String conv = retrying(() -> from.createGroup(create.build())).get(timeoutS, TimeUnit.SECONDS).getConvId();
            Semaphore inflight = new Semaphore(64);
            List<CompletableFuture<?>> sends = new ArrayList<>();
            long sendStartNs = System.nanoTime();
            for (int i = 0; i < missed; i++) {
                inflight.acquire();
                SendRequest send = SendRequest.newBuilder().setConvId(conv).setClientMsgId("missed-" + i).setContentType(ContentType.CONTENT_TYPE_TEXT)
                        .setBody(ByteString.copyFrom(new byte[200])).build();
                sends.add(retrying(() -> from.send(send)).whenComplete((ack, failure) -> inflight.release()));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(timeoutS, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "%d messages sent to the group in %.1f s%n", missed, (System.nanoTime() - sendStartNs) / 1e9);
            from.close();

            SynkitClient late = client(loops, cluster, reader, "new-tablet");
            SyncKey key = SyncKey.getDefaultInstance();
            long ops = 0;
            long bytes = 0;
            int pages = 0;
            long startNs = System.nanoTime();
            SyncResponse page;
            do {
                SyncKey at = key;
                page = retrying(() -> late.sync(at, 500)).get(timeoutS, TimeUnit.SECONDS);
                pages++;
                ops += page.getOpsCount() + page.getConvEntriesCount();
                bytes += page.getSerializedSize();
                key = page.getNewKey();
            } while (page.getHasMore());
            double ms = (System.nanoTime() - startNs) / 1e6;
            System.out.printf(Locale.ROOT, "sync after %d missed messages: %d ops and log entries in %d pages of <= 500, %d KiB, %.0f ms (%.1f ms a page)%n", missed, ops,
                    pages, bytes / 1024, ms, ms / pages);
            late.close();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * The call, repeated as a client must after a retryable failure (a store that sheds load
     * answers UNAVAILABLE), with the same request (so a send keeps its client_msg_id), up to
     * {@link #ATTEMPTS_MAX} times, {@link #RETRY_PAUSE_MS} apart.
     */
    private static <T> CompletableFuture<T> retrying(Supplier<CompletableFuture<T>> call) {
        return attempt(call, 1);
    }

    private static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> call, int attempt) {
        return call.get().handle((answer, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(answer);
            }
            if (attempt >= ATTEMPTS_MAX || !ClientException.of(failure).retryable()) {
                return CompletableFuture.<T>failedFuture(failure);
            }
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(RETRY_PAUSE_MS, TimeUnit.MILLISECONDS))
                    .thenCompose(paused -> attempt(call, attempt + 1));
        }).thenCompose(answer -> answer);
    }

    private SynkitClient client(EventLoopGroup loops, EmbeddedCluster cluster, long user, String device) {
        SynkitClient client = new SynkitClient(loops.next(), ClientListener.IGNORING, 30_000);
        client.connect(cluster.accessAddress(), null).join();
        client.auth(tokens.issue(user, device, 3600_000L)).join();
        return client;
    }
}

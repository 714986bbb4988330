package io.synkit.logic.store;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.protocol.slot.StoreSet;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import io.synkit.store.read.DeviceReader;
import io.synkit.store.read.StoreReader;
import io.synkit.store.write.CommandBatch;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.rocksdb.WriteBatch;

/**
 * Store SETs inside the test's JVM, behind the seam the logic paths call ({@link StoreCalls}):
 * each SET is one store replica with the store's own commands and reader on a RocksDB in a
 * directory of the test, routed by a slot map as {@link StoreClient} routes. Each request is
 * served at once on the caller's thread, one write at a time per SET, so a test decides every
 * interleaving itself. A test can make chosen requests fail (a SET down, a crash between two
 * steps) and sees every request in the order it was made.
 */
public final class InProcessStores implements StoreCalls, AutoCloseable {

    static final int SLOT_COUNT = 64;
    static final int READ_OPS_MAX = 1000;

    private final SlotMap map;
    private final Map<String, Replica> replicas = new LinkedHashMap<>();
    private final List<StoreRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    /** {@code setCount} SETs s1, s2, ... with slots spread evenly, in {@code dir}; commit times from {@code clock}. */
    public InProcessStores(Path dir, int setCount, Clock clock) {
        List<StoreSet> sets = IntStream.rangeClosed(1, setCount).mapToObj(i -> new StoreSet("s" + i, List.of("in-process-s" + i + ":1"))).toList();
        this.map = SlotMap.evenly(1, SLOT_COUNT, sets);
        for (StoreSet set : sets) {
            replicas.put(set.setId(), new Replica(dir.resolve(set.setId()), clock));
        }
    }

    public InProcessStores(Path dir, int setCount) {
        this(dir, setCount, Clock.SYSTEM);
    }

    /** A fault: requests matching {@code which} fail with {@code code} until {@link #heal()}. */
    private record Fault(Predicate<StoreRequest> which, ErrorCode code) {
    }

    /** From now on requests matching {@code which} fail with {@code code}, as a store would answer them. */
    public void failWhen(Predicate<StoreRequest> which, ErrorCode code) {
        faults.add(new Fault(which, code));
    }

    /** Every fault is gone. */
    public void heal() {
        faults.clear();
    }

    /** Every request made so far, in order, the failed ones included. */
    public List<StoreRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public SlotMap slotMap() {
        return map;
    }

    @Override
    public CompletableFuture<StoreResponse> forUser(long userId, StoreRequest request) {
        return serve(map.setOfUser(userId), request);
    }

    @Override
    public CompletableFuture<StoreResponse> forConversation(String convId, StoreRequest request) {
        return serve(map.setOfConversation(convId), request);
    }

    @Override
    public CompletableFuture<StoreResponse> call(StoreSet set, StoreRequest request) {
        return serve(set, request);
    }

    private CompletableFuture<StoreResponse> serve(StoreSet set, StoreRequest request) {
        requests.add(request);
        for (Fault fault : faults) {
            if (fault.which().test(request)) {
                return CompletableFuture.failedFuture(new RpcException(fault.code(), "test fault on SET " + set.setId()));
            }
        }
        try {
            return CompletableFuture.completedFuture(replicas.get(set.setId()).serve(request));
        } catch (RpcException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        replicas.values().forEach(replica -> replica.engine.close());
    }

    /** One SET's replica: reads from the reader, each write committed durably before it answers. */
    private static final class Replica {

        private final StoreEngine engine;
        private final StoreReader reader;
        private final Clock clock;

        Replica(Path dir, Clock clock) {
            this.engine = new StoreEngine(dir);
            this.reader = new StoreReader(engine, clock, READ_OPS_MAX);
            this.clock = clock;
        }

        synchronized StoreResponse serve(StoreRequest request) {
            return switch (request.getBodyCase()) {
                case READ_INBOX -> StoreResponse.newBuilder().setReadInbox(reader.readInbox(request.getReadInbox())).build();
                case READ_CONV -> StoreResponse.newBuilder().setReadConv(reader.readConv(request.getReadConv())).build();
                case READ_GROUP -> StoreResponse.newBuilder().setReadGroup(reader.readGroup(request.getReadGroup())).build();
                case READ_DEVICES -> StoreResponse.newBuilder().setReadDevices(new DeviceReader(engine).readDevices(request.getReadDevices())).build();
                case OUTBOX_SCAN -> StoreResponse.newBuilder().setOutboxScan(reader.scanOutbox(request.getOutboxScan())).build();
                case READ_HISTORY -> StoreResponse.newBuilder().setReadHistory(reader.readHistory(request.getReadHistory())).build();
                case READ_CONVERSATIONS -> StoreResponse.newBuilder().setReadConversations(reader.readConversations(request.getReadConversations())).build();
                case READ_STREAM -> StoreResponse.newBuilder().setReadStream(reader.readStream(request.getReadStream())).build();
                case READ_ROUTES -> StoreResponse.newBuilder().setReadRoutes(reader.readRoutes(request.getReadRoutes())).build();
                default -> write(request);
            };
        }

        private StoreResponse write(StoreRequest request) {
            try (CommandBatch batch = new CommandBatch(engine, clock)) {
                StoreResponse response = batch.apply(request);
                try (WriteBatch durable = new WriteBatch(batch.data())) {
                    engine.writeDurably(durable);
                }
                return response;
            }
        }
    }
}

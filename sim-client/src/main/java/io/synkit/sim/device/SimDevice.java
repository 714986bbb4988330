package io.synkit.sim.device;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoop;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.ContentType;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.GroupChanged;
import io.synkit.protocol.conv.ReadState;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.client.MessageOp;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.Stream;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.sync.RangeDigests;
import io.synkit.protocol.sync.ConvPositions;
import io.synkit.protocol.sync.SyncPosition;
import io.synkit.runtime.Clock;
import io.synkit.sim.client.AccessAddresses;
import io.synkit.sim.client.ClientException;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.LinkHeartbeats;
import io.synkit.sim.client.ReconnectBackoff;
import io.synkit.sim.client.SynkitClient;
import io.synkit.sim.device.OperationHistory.Outcome;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A simulated phone: one device of one user, behaving as a correct client must. It keeps its
 * sync key across reconnects (like a client's local database), syncs on connect, on notify and
 * when a heartbeat says it is behind, retries every unacknowledged send with the same
 * client_msg_id until acked, reconnects when docs/protocol.md §16 says ({@link ReconnectBackoff}),
 * falls back through the access addresses it knows and learns more of them at login and on GoAway, and
 * honours GoAway (no new requests, the link closed once its answers are in). Everything it receives is recorded as is, for the checker to judge.
 *
 * <p>Threading: every method body runs on the device's event loop (public methods hop onto it),
 * so its state needs no locks.
 */
public final class SimDevice {

    private final long userId;
    private final String deviceId;
    private final Supplier<String> tokens;
    private final EventLoop loop;
    /** The access nodes in the order to try them: configured, then as logins and GoAways tell (docs/protocol.md §16). */
    private final AccessAddresses addresses;
    private final DeviceSettings settings;
    private final RunRecorder recorder;
    private final SplittableRandom random;
    private final String runId;
    private final Clock clock;
    /** Sends not yet on the wire: new ones, and failed attempts waiting for their retry (first in line). */
    private final ArrayDeque<SendRecord> unsent = new ArrayDeque<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    /** The seq of every op received (entries, read marks, kinds unknown here), in order. */
    private final List<Long> opSeqs = new ArrayList<>();
    private final List<HeadWaiter> headWaiters = new ArrayList<>();
    private SynkitClient client;
    private boolean ready;
    private boolean wantOnline;
    /** The wait before the next connection attempt (docs/protocol.md §16). */
    private final ReconnectBackoff backoff;
    /** A link told to go away that still waits for answers to requests it carries; closed once they are in. */
    private SynkitClient leaving;
    /** The last GoAway was a redirect: the next Auth says so, and is served wherever it lands. */
    private boolean redirected;
    private int sendsInflight;
    private long sendCounter;
    private SyncKey key = SyncKey.getDefaultInstance();
    private final ReadState readState;
    private boolean syncing;
    private boolean syncAgain;
    private long heartbeatGeneration;

    /** @param clock the run's clock: send, ack and delivery times are compared with the run's intended send times */
    public SimDevice(long userId, String deviceId, Supplier<String> tokens, EventLoop loop, List<InetSocketAddress> accessNodes,
                     DeviceSettings settings, RunRecorder recorder, long seed, String runId, Clock clock) {
        this.userId = userId;
        this.deviceId = deviceId;
        this.tokens = tokens;
        this.loop = loop;
        this.settings = settings;
        this.recorder = recorder;
        this.random = new SplittableRandom(seed);
        this.runId = runId;
        this.clock = clock;
        this.readState = new ReadState(userId);
        this.addresses = new AccessAddresses(accessNodes, random.nextInt(accessNodes.size()));
        this.backoff = new ReconnectBackoff(random, settings.reconnectBackoffMaxMs());
    }

    public long userId() {
        return userId;
    }

    public String deviceId() {
        return deviceId;
    }

    /** Deliveries in the order received. Read after the run, once the device's loop is quiet. */
    public List<Delivery> deliveries() {
        return Collections.unmodifiableList(deliveries);
    }

    public void setOnline(boolean online) {
        loop.execute(() -> {
            wantOnline = online;
            if (online && client == null) {
                connect();
            } else if (!online && client != null) {
                client.close();
            }
        });
    }

    /** Queues a message to the conversation; it is sent as soon as the link allows. */
    public void send(String convId, long intendedNanos) {
        loop.execute(() -> {
            // Unique across runs, like a real client's UUID: a reused id would be answered as a retry of the old message.
            String clientMsgId = runId + "-" + deviceId + "-" + (++sendCounter);
            SendRecord record = new SendRecord(userId, deviceId, clientMsgId, convId, intendedNanos);
            recorder.invoked(record);
            unsent.add(record);
            pumpSends();
        });
    }

    /** The seq of every op received, in order. Read after the run, once the device's loop is quiet. */
    public List<Long> opSeqs() {
        return Collections.unmodifiableList(opSeqs);
    }

    /** The read marks and unread counts this device derived from what it received. Read after the run, once the device's loop is quiet. */
    public ReadState readState() {
        return readState;
    }

    /** Changes a group's members through this device; fails while offline. */
    public CompletableFuture<GroupChanged> changeGroup(ChangeGroupRequest change) {
        return CompletableFuture.supplyAsync(() -> ready ? client : null, loop).thenCompose(link -> link == null
                ? CompletableFuture.failedFuture(new ClientException(ErrorCode.UNAVAILABLE, "device " + this + " is offline", 0))
                : link.changeGroup(change));
    }

    /**
     * Marks the conversation of the newest entry this device holds read up to that entry, as a user
     * reading a chat does, retrying (the mark is idempotent) until answered or {@code attempts}
     * tries failed; completes then, either way. Nothing to mark (no entry yet): completes at once.
     */
    public CompletableFuture<Void> markNewestRead(int attempts) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (deliveries.isEmpty()) {
                done.complete(null);
                return;
            }
            Delivery newest = deliveries.get(deliveries.size() - 1);
            markRead(newest.convId(), newest.convSeq(), attempts, done);
        });
        return done;
    }

    private void markRead(String convId, long convSeq, int attemptsLeft, CompletableFuture<Void> done) {
        CompletableFuture<?> attempt = ready ? client.markRead(convId, convSeq)
                : CompletableFuture.failedFuture(new ClientException(ErrorCode.UNAVAILABLE, "offline", 0));
        attempt.whenComplete((marked, failure) -> loop.execute(() -> {
            if (failure == null || attemptsLeft <= 1 || !ClientException.of(failure).retryable()) {
                done.complete(null);
                return;
            }
            loop.schedule(() -> markRead(convId, convSeq, attemptsLeft - 1, done), settings.retryDelayMs(), TimeUnit.MILLISECONDS);
        }));
    }

    /**
     * The user's whole conversation list as the server gives it, page by page, with the large
     * groups read from their logs (the first page's {@code streamed_conversations}); fails while offline.
     */
    public CompletableFuture<List<ConversationSummary>> conversationList() {
        return CompletableFuture.supplyAsync(() -> ready ? client : null, loop).thenCompose(link -> link == null
                ? CompletableFuture.failedFuture(new ClientException(ErrorCode.UNAVAILABLE, "device " + this + " is offline", 0))
                : listFrom(link, 0, new ArrayList<>()));
    }

    private static CompletableFuture<List<ConversationSummary>> listFrom(SynkitClient link, long beforeSeq, List<ConversationSummary> so) {
        return link.conversationList(beforeSeq, 0).thenCompose(page -> {
            so.addAll(page.getConversationsList());
            so.addAll(page.getStreamedConversationsList());
            return page.getHasMore() && page.getConversationsCount() > 0
                    ? listFrom(link, page.getConversations(page.getConversationsCount() - 1).getLastSeq(), so)
                    : CompletableFuture.completedFuture(so);
        });
    }

    /** Completes with whether the device is connected and authenticated. */
    public CompletableFuture<Boolean> isReady() {
        return CompletableFuture.supplyAsync(() -> ready, loop);
    }

    /** Creates a group chat named {@code name} with this device's user and {@code members}; fails while offline. */
    public CompletableFuture<GroupCreated> createGroup(String name, List<Long> members) {
        return CompletableFuture.supplyAsync(() -> ready ? client : null, loop).thenCompose(link -> link == null
                ? CompletableFuture.failedFuture(new ClientException(ErrorCode.UNAVAILABLE, "device " + this + " is offline", 0))
                : link.createGroup(CreateGroupRequest.newBuilder().setName(name).addAllMemberUserIds(members).build()));
    }

    /** Completes with the number of sends not yet acked (queued or in flight). */
    public CompletableFuture<Integer> unackedSends() {
        return CompletableFuture.supplyAsync(() -> unsent.size() + sendsInflight, loop);
    }

    /**
     * Syncs to the head through the device's one sync loop (a second, concurrent sync with the
     * same key would fetch the same ops twice); completes with the number of new ops received
     * once a sync started after this call reached the head, or fails if the link drops first.
     */
    public CompletableFuture<Integer> syncToHead() {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (!ready) {
                done.completeExceptionally(new ClientException(ErrorCode.UNAVAILABLE, "device " + this + " is offline", 0));
                return;
            }
            int before = deliveries.size();
            headWaiters.add(new HeadWaiter(done, before));
            requestSync();
        });
        return done;
    }

    private record HeadWaiter(CompletableFuture<Integer> done, int deliveriesBefore) {
    }

    private void settleHeadWaiters(Throwable failure) {
        for (HeadWaiter waiter : headWaiters) {
            if (failure == null) {
                waiter.done().complete(deliveries.size() - waiter.deliveriesBefore());
            } else {
                waiter.done().completeExceptionally(failure);
            }
        }
        headWaiters.clear();
    }

    private void connect() {
        LinkEvents events = new LinkEvents();
        SynkitClient link = new SynkitClient(loop, events, settings.requestTimeoutMs());
        events.link = link;
        client = link;
        addresses.attempting(clock.nanoTime());
        link.connect(addresses.current(), null)
                .thenCompose(connected -> link.auth(tokens.get(), DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED, redirected))
                .whenComplete((auth, failure) -> {
                    if (client != link) {
                        return;
                    }
                    if (failure != null) {
                        // Refused: this node waits out its retry-after (a paced login); unreachable: its own growing wait; the next free node is tried.
                        // The link is no longer the device's before it closes: its close is this failure, not a link that ended.
                        client = null;
                        link.close();
                        int retryAfterMs = ClientException.of(failure).retryAfterMs();
                        addresses.attemptFailed(retryAfterMs, clock.nanoTime());
                        reconnectAfter(backoff.afterFailedAttemptMs(retryAfterMs, addresses.order().size()));
                        return;
                    }
                    addresses.loggedIn(auth.getAccessAddressesList());
                    redirected = false;
                    ready = true;
                    startHeartbeats(link, auth.getHeartbeatIntervalMs());
                    requestSync();
                    pumpSends();
                });
    }

    /**
     * Reconnects after {@code delayMs} ({@link ReconnectBackoff}), and not before the address to try
     * allows (the minimum gap since the last attempt, the rest of a retry-after it gave).
     */
    private void reconnectAfter(long delayMs) {
        client = null;
        if (!wantOnline) {
            return;
        }
        long waitMs = Math.max(delayMs, TimeUnit.NANOSECONDS.toMillis(addresses.waitNanos(clock.nanoTime())));
        loop.schedule(() -> {
            if (wantOnline && client == null) {
                connect();
            }
        }, waitMs, TimeUnit.MILLISECONDS);
    }

    /** Link events, ignored once the link is no longer the device's current one. */
    private final class LinkEvents implements ClientListener {

        private SynkitClient link;

        @Override
        public void onClosed() {
            if (client != link) {
                return;
            }
            ready = false;
            heartbeatGeneration++;
            addresses.next();
            reconnectAfter(backoff.afterLinkEndedMs());
        }

        @Override
        public void onGoAway(GoAway goAway) {
            if (client != link) {
                return;
            }
            ready = false;
            heartbeatGeneration++;
            // No new requests on this link; it closes once the answers it waits for are in (the server waits for them too).
            if (leaving != null) {
                leaving.close();
            }
            leaving = link;
            closeLeavingIfQuiet();
            redirected = goAway.getCode() == ErrorCode.REDIRECTED;
            if (redirected) {
                // Followed at once (docs/protocol.md §16): a redirect is not a failure.
                addresses.redirected(goAway.getAccessAddressesList(), clock.nanoTime());
                reconnectAfter(0);
            } else {
                addresses.goAway(goAway.getAccessAddressesList(), goAway.getRetryAfterMs(), clock.nanoTime());
                reconnectAfter(backoff.afterLinkEndedMs());
            }
        }

        @Override
        public void onNotify(Notify notify) {
            if (client != link) {
                return;
            }
            if (notify.getStream() == Stream.STREAM_CONV) {
                // A large group's log moved (protocol.md §15.5): sync unless the key holds it already.
                Long held = ConvPositions.fromKey(key).convSeqs().get(notify.getConvId());
                if (held == null || held < notify.getSeq()) {
                    requestSync();
                }
            } else if (SyncPosition.fromKey(key).inboxSeq() < notify.getSeq()) {
                requestSync();
            }
        }
    }

    private void closeLeavingIfQuiet() {
        if (leaving != null && sendsInflight == 0 && !syncing) {
            leaving.close();
            leaving = null;
        }
    }

    private void startHeartbeats(SynkitClient link, int intervalMs) {
        long generation = ++heartbeatGeneration;
        LinkHeartbeats.start(loop, link, intervalMs, () -> generation == heartbeatGeneration && client == link, link::close, beat -> {
            // A device reading large groups from their logs syncs at every heartbeat: no
            // heartbeat reply tells of a lost STREAM_CONV notify (protocol.md §15.5).
            if (beat.getLatestInboxSeq() > SyncPosition.fromKey(key).inboxSeq() || !ConvPositions.fromKey(key).convSeqs().isEmpty()) {
                requestSync();
            }
        });
    }

    private void requestSync() {
        if (syncing) {
            syncAgain = true;
            return;
        }
        if (!ready) {
            settleHeadWaiters(new ClientException(ErrorCode.UNAVAILABLE, "device " + this + " is offline", 0));
            return;
        }
        syncing = true;
        syncAgain = false;
        SynkitClient link = client;
        long sentNanos = clock.nanoTime();
        long fromSeq = SyncPosition.fromKey(key).inboxSeq();
        link.sync(key, settings.syncPageOps()).whenComplete((page, failure) -> {
            recorder.synced(userId, deviceId, sentNanos, clock.nanoTime(), outcome(failure), error(failure), fromSeq,
                    failure == null ? SyncPosition.fromKey(page.getNewKey()).inboxSeq() : 0, failure == null ? page.getOpsCount() : 0,
                    failure == null && page.getHasMore());
            syncing = false;
            closeLeavingIfQuiet();
            if (failure != null) {
                settleHeadWaiters(failure);
                if (ready && client == link) {
                    loop.schedule(this::requestSync, settings.retryDelayMs(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            accept(page);
            if (page.getHasMore() || syncAgain) {
                requestSync();
            } else {
                backoff.synced();
                settleHeadWaiters(null);
            }
        });
    }

    /** Stores a page's ops, then its key: a crash between the two re-fetches, never skips. */
    private void accept(SyncResponse page) {
        if (!RangeDigests.matches(page.getOpsList(), page.getDigest())) {
            recorder.digestMismatch();
        }
        long now = clock.nanoTime();
        for (Op op : page.getOpsList()) {
            opSeqs.add(op.getSeq());
            readState.apply(op);
            if (!op.hasMessage() && !op.hasGroupChange()) {
                continue; // a read mark (in the read state), or a kind newer than this client
            }
            MessageOp entry = op.hasMessage() ? op.getMessage() : op.getGroupChange();
            Delivery delivery = new Delivery(op.getSeq(), entry.getConvId(), entry.getConvSeq(), entry.getSenderUserId(),
                    entry.getClientMsgId(), now, entry.hasGroupChange() ? entry.getGroupChange() : null);
            deliveries.add(delivery);
            if (delivery.change() == null) {
                recorder.delivered(delivery, userId);
            }
        }
        for (MessageOp entry : page.getConvEntriesList()) {
            // A large group's entry read from its log: no inbox seq.
            readState.applyStreamEntry(entry);
            Delivery delivery = new Delivery(0, entry.getConvId(), entry.getConvSeq(), entry.getSenderUserId(), entry.getClientMsgId(), now,
                    entry.hasGroupChange() ? entry.getGroupChange() : null);
            deliveries.add(delivery);
            if (delivery.change() == null) {
                recorder.delivered(delivery, userId);
            }
        }
        key = page.getNewKey();
    }

    private void pumpSends() {
        while (ready && sendsInflight < settings.sendInflightMax() && !unsent.isEmpty()) {
            SendRecord record = unsent.poll();
            sendsInflight++;
            record.attempts++;
            int attempt = record.attempts;
            long invokeNanos = clock.nanoTime();
            SendRequest request = SendRequest.newBuilder().setConvId(record.convId).setClientMsgId(record.clientMsgId)
                    .setContentType(ContentType.CONTENT_TYPE_TEXT).setBody(body(record)).build();
            client.send(request).whenComplete((ack, failure) -> {
                sendsInflight--;
                closeLeavingIfQuiet();
                long completeNanos = clock.nanoTime();
                if (failure == null) {
                    record.convSeq = ack.getConvSeq();
                    record.seq = ack.getSeq();
                    recorder.acked(record, completeNanos);
                }
                recorder.sendAttempted(record, attempt, invokeNanos, completeNanos, outcome(failure), error(failure));
                if (failure != null) {
                    retryOrFail(record, ClientException.of(failure));
                }
                pumpSends();
            });
        }
    }

    private void retryOrFail(SendRecord record, ClientException failure) {
        if (!failure.retryable()) {
            record.failure = failure.getMessage();
            return;
        }
        long delayMs = Math.max(failure.retryAfterMs(), random.nextLong(settings.retryDelayMs() + 1));
        loop.schedule(() -> {
            unsent.addFirst(record);
            pumpSends();
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Timed out or cut off: the request may have taken effect ({@code info} in the history); refused: it did not. */
    private static Outcome outcome(Throwable failure) {
        if (failure == null) {
            return Outcome.OK;
        }
        ClientException error = ClientException.of(failure);
        return error.code() == ErrorCode.TIMEOUT || error.code() == ErrorCode.UNAVAILABLE ? Outcome.UNKNOWN : Outcome.FAILED;
    }

    private static String error(Throwable failure) {
        if (failure == null) {
            return null;
        }
        ClientException error = ClientException.of(failure);
        return error.code() + ": " + error.getMessage();
    }

    private static ByteString body(SendRecord record) {
        return ByteString.copyFromUtf8("hello from " + record.senderDeviceId + " #" + record.clientMsgId);
    }

    @Override
    public String toString() {
        return "user=" + userId + " device=" + deviceId;
    }
}

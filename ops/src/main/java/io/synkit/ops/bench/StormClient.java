package io.synkit.ops.bench;

import io.netty.channel.EventLoop;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.Notify;
import io.synkit.protocol.client.Op;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.sync.SyncPosition;
import io.synkit.sim.client.AccessAddresses;
import io.synkit.sim.client.ReconnectBackoff;
import io.synkit.sim.client.ClientException;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.LinkHeartbeats;
import io.synkit.sim.client.SynkitClient;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One client of a reconnect storm ({@code ops bench connections --storm}): a user's idle link
 * that, when its access node goes away, comes back by docs/protocol.md §16 as the reference
 * client's {@link AccessAddresses} and {@link ReconnectBackoff} time it: after a GoAway to its first
 * address after a random 0-500 ms, after a dropped link to the next address after the same, the
 * node that went away not before its retry-after, a node that paces logins at its retry-after, an
 * unreachable node left alone 1 s, 2 s, 4 s... after each refused connect, no two attempts within
 * 1 s, and after every known address failed in a row without naming a retry-after a full-jitter
 * backoff of at least 1 s. It keeps its sync key and syncs on every login and
 * Notify, and heartbeats at the server's interval (a reply beyond its key syncs). What it saw is told to a {@link Report}: its first login (the fill),
 * and, once it is back and synced after losing its first link, its attempts since then, the most in
 * any one second, the refused ones and the auth latency of the login that brought it back; and
 * every storm message its syncs deliver.
 *
 * <p>Threading: everything runs on the client's event loop, so its state needs no locks.
 */
final class StormClient {

    /**
     * Storm clients of one worker per loopback source address at most. After a drain each client
     * closes its old link itself (a TIME_WAIT socket on its address for a minute) and opens a new
     * one, so an address needs two ports per client out of its ~28,000 ephemeral ones: at 9,500
     * clients an address ran nearly out, every {@code bind()} of a new socket searched the range
     * for seconds on the worker's event loop, and the drain storm measured that, not the cluster
     * (docs/benchmarks.md, "Where a storm's time goes"). Phones have an address each.
     */
    static final int CLIENTS_PER_SOURCE_ADDRESS = 4_000;
    /** A sent message whose client_msg_id starts with this is a storm message the bench waits for. */
    static final String STORM_MESSAGE_PREFIX = "storm-";
    /** Longer than the server's 10 s auth deadline: the server's answer, not ours, ends a slow Auth. */
    private static final long REQUEST_TIMEOUT_MS = 15_000;
    private static final long SYNC_RETRY_MS = 1000;

    /** Where a client's events go; called on the client's event loop. */
    interface Report {
        /** Logged in and synced for the first time. */
        void filled(long userId);

        /** Its first link after the fill was lost (GoAway or drop). */
        void lost(long userId);

        /** Back and synced after its first link was lost at {@code lostNs}. */
        void back(long userId, Comeback comeback);

        /** A sync delivered storm message {@code clientMsgId} at {@code receivedNs}. */
        void stormMessage(long userId, String clientMsgId, long receivedNs);
    }

    /**
     * @param attempts connection attempts after the first link was lost, the one that brought it back included
     * @param attemptsInOneSecondMax the most of them within any 1 s
     * @param refused attempts that failed: refused or dropped connects, Auths answered with an error
     * @param authLatencyNs from Auth sent to AuthResponse of the login that brought it back
     */
    record Comeback(long lostNs, long backNs, int attempts, int attemptsInOneSecondMax, int refused, long authLatencyNs) {
    }

    private final long userId;
    private final String token;
    private final EventLoop loop;
    private final InetSocketAddress source;
    private final AccessAddresses addresses;
    private final Report report;
    private SynkitClient client;
    private boolean leaving;
    /** The link a sync is out on (null: none): a sync of a link already lost does not hold up the new link's. */
    private SynkitClient syncingLink;
    private boolean syncAgain;
    private SyncKey key = SyncKey.getDefaultInstance();
    private final ReconnectBackoff backoff;
    private boolean filled;
    private boolean stopped;
    /** When the first link after the fill was lost (GoAway or drop); 0 while it lives. */
    private long lostNs;
    private boolean reportedBack;
    private long[] attemptsNs = new long[4];
    private int attemptCount;
    private int refused;
    private long authLatencyNs;

    /** @param configured the addresses the client starts with (the node to fill: its login tells it the others) */
    StormClient(long userId, String token, EventLoop loop, InetSocketAddress source, List<InetSocketAddress> configured, Report report, long seed) {
        this.userId = userId;
        this.token = token;
        this.loop = loop;
        this.source = source;
        this.addresses = new AccessAddresses(configured, 0);
        this.report = report;
        this.backoff = new ReconnectBackoff(new SplittableRandom(seed), ReconnectBackoff.ROUND_BACKOFF_MS_CEILING);
    }

    void start() {
        loop.execute(this::connect);
    }

    void stop() {
        loop.execute(() -> {
            stopped = true;
            SynkitClient link = client;
            client = null;
            if (link != null) {
                link.close();
            }
        });
    }

    private void connect() {
        if (stopped) {
            return;
        }
        Events events = new Events();
        SynkitClient link = new SynkitClient(loop, events, REQUEST_TIMEOUT_MS);
        events.link = link;
        client = link;
        leaving = false;
        long nowNs = System.nanoTime();
        addresses.attempting(nowNs);
        if (lostNs != 0) {
            recordAttempt(nowNs);
        }
        long[] authSentNs = new long[1];
        link.connect(addresses.current(), source).thenCompose(connected -> {
            authSentNs[0] = System.nanoTime();
            return link.auth(token, DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED, false);
        }).whenComplete((auth, failure) -> {
            if (client != link) {
                return;
            }
            if (failure != null) {
                failed(link, ClientException.of(failure).retryAfterMs());
                return;
            }
            loggedIn(auth, System.nanoTime() - authSentNs[0]);
        });
    }

    private void loggedIn(AuthResponse auth, long latencyNs) {
        addresses.loggedIn(auth.getAccessAddressesList());
        authLatencyNs = latencyNs;
        heartbeatsOn(client, auth.getHeartbeatIntervalMs());
        sync();
    }

    /**
     * Heartbeats on {@code link} at the server's interval, as protocol.md §7 asks of every client:
     * a reply naming an inbox seq beyond the key syncs, which repairs a notify lost on its way
     * (notifies are best effort); one unanswered within two intervals drops the link.
     */
    private void heartbeatsOn(SynkitClient link, int intervalMs) {
        LinkHeartbeats.start(loop, link, intervalMs, () -> client == link && !leaving && !stopped, link::close, beat -> {
            if (beat.getLatestInboxSeq() > SyncPosition.fromKey(key).inboxSeq()) {
                sync();
            }
        });
    }

    /** A connect or its Auth failed: this node waits out its retry-after (or, unreachable, its own growing wait), the next free one is tried. */
    private void failed(SynkitClient link, int retryAfterMs) {
        refused += lostNs != 0 ? 1 : 0;
        client = null;
        link.close();
        long nowNs = System.nanoTime();
        addresses.attemptFailed(retryAfterMs, nowNs);
        reconnectAfter(backoff.afterFailedAttemptMs(retryAfterMs, addresses.order().size()));
    }

    /** The link ended (GoAway or dropped): reconnect after a random 0-500 ms and whatever the address to try still asks. */
    private void linkLost() {
        if (filled && lostNs == 0) {
            lostNs = System.nanoTime();
            report.lost(userId);
        }
        reconnectAfter(backoff.afterLinkEndedMs());
    }

    private void reconnectAfter(long delayMs) {
        long waitMs = Math.max(delayMs, TimeUnit.NANOSECONDS.toMillis(addresses.waitNanos(System.nanoTime())) + 1);
        SynkitClient lost = client;
        loop.schedule(() -> {
            if (client == lost) {
                connect();
            }
        }, waitMs, TimeUnit.MILLISECONDS);
    }

    private void sync() {
        SynkitClient link = client;
        if (syncingLink == link) {
            syncAgain = true;
            return;
        }
        syncingLink = link;
        syncAgain = false;
        link.sync(key, 0).whenComplete((page, failure) -> {
            if (syncingLink == link) {
                syncingLink = null;
            }
            if (leaving || client != link) {
                link.close();
                return;
            }
            if (failure != null) {
                loop.schedule(() -> {
                    if (client == link && !leaving) {
                        sync();
                    }
                }, SYNC_RETRY_MS, TimeUnit.MILLISECONDS);
                return;
            }
            accept(page);
            if (page.getHasMore() || syncAgain) {
                sync();
            } else {
                synced();
            }
        });
    }

    private void accept(SyncResponse page) {
        long receivedNs = System.nanoTime();
        for (Op op : page.getOpsList()) {
            if (op.hasMessage() && op.getMessage().getClientMsgId().startsWith(STORM_MESSAGE_PREFIX)) {
                report.stormMessage(userId, op.getMessage().getClientMsgId(), receivedNs);
            }
        }
        key = page.getNewKey();
    }

    /** At the head after a login: the backoff starts afresh (docs/protocol.md §16). */
    private void synced() {
        backoff.synced();
        if (!filled) {
            filled = true;
            report.filled(userId);
        } else if (lostNs != 0 && !reportedBack) {
            reportedBack = true;
            report.back(userId, new Comeback(lostNs, System.nanoTime(), attemptCount, attemptsInOneSecondMax(), refused, authLatencyNs));
        }
    }

    private void recordAttempt(long nowNs) {
        if (attemptCount == attemptsNs.length) {
            attemptsNs = Arrays.copyOf(attemptsNs, attemptCount * 2);
        }
        attemptsNs[attemptCount++] = nowNs;
    }

    /** The most attempts within any window of one second (attempt times ascend). */
    private int attemptsInOneSecondMax() {
        int most = 0;
        int first = 0;
        for (int last = 0; last < attemptCount; last++) {
            while (attemptsNs[last] - attemptsNs[first] >= TimeUnit.SECONDS.toNanos(1)) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    /** Events of one link, ignored once it is no longer the client's current one. */
    private final class Events implements ClientListener {

        private SynkitClient link;

        @Override
        public void onNotify(Notify notify) {
            if (client == link && !leaving && SyncPosition.fromKey(key).inboxSeq() < notify.getSeq()) {
                sync();
            }
        }

        @Override
        public void onGoAway(GoAway goAway) {
            if (client != link || leaving) {
                return;
            }
            leaving = true;
            if (syncingLink != link) {
                link.close();
            }
            addresses.goAway(goAway.getAccessAddressesList(), goAway.getRetryAfterMs(), System.nanoTime());
            client = null;
            linkLost();
        }

        @Override
        public void onClosed() {
            if (client != link || leaving) {
                return;
            }
            addresses.next();
            client = null;
            linkLost();
        }
    }
}

package io.synkit.ops.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One client worker process of {@code ops bench connections} (hidden: the bench starts it). Opens
 * its idle authenticated links from one 127.0.0.x source address, spread round-robin over the
 * access nodes, then reports on stdout, one line each, for the bench to read:
 * {@value #OPENED} {@code <links>} once all are open, and {@value #NOTIFY} {@code <user> <nanoTime>}
 * for every Notify a link receives ({@code System.nanoTime()} is Linux's monotonic clock, the same
 * in every process of the machine, so the bench subtracts its own send time). It holds the links
 * until its stdin closes: the bench closes it to end the run, and a bench that died closes it too,
 * so a worker never outlives its bench.
 *
 * <p>With {@code --storm} its links are {@link StormClient}s instead, all configured with the first
 * address only (their logins tell them the others): {@value #OPENED} once all are logged in and
 * synced, then, per client, {@value #BACK} {@code <user> <lostNs> <backNs> <attempts>
 * <attemptsInOneSecondMax> <refused> <authLatencyNs>} once it is back and synced after losing its
 * node, {@value #MESSAGE} {@code <user> <nanoTime>} for every storm message a sync delivers, and
 * once all its clients are back {@value #LOOP_LAG} {@code <p50Us> <p99Us> <maxUs>}: how late its own
 * event loops ran their work from the first lost link on ({@link EventLoopLag}).
 */
@Command(name = "connections-worker", hidden = true, description = "A client worker of 'ops bench connections' (started by it).")
public final class ConnectionsWorkerCommand implements Callable<Integer> {

    static final String OPENED = "WORKER-OPENED";
    static final String NOTIFY = "WORKER-NOTIFY";
    static final String FAILED = "WORKER-FAILED";
    static final String BACK = "WORKER-BACK";
    static final String MESSAGE = "WORKER-MESSAGE";
    static final String LOOP_LAG = "WORKER-LOOP-LAG";
    private static final long TOKEN_TTL_MS = TimeUnit.HOURS.toMillis(2);

    @Option(names = "--clients", required = true, split = ",", description = "Access nodes' client addresses, host:port")
    List<String> clients;

    @Option(names = "--links", required = true, description = "Links to open")
    int links;

    @Option(names = "--first-user", required = true, description = "User id of the first link; the others follow")
    long firstUserId;

    @Option(names = "--source", required = true, description = "x of the (first) source address 127.0.0.x")
    int source;

    @Option(names = "--connect-concurrency", defaultValue = "256", description = "Links being opened at once at most")
    int connectConcurrency;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Opening the links ends within this")
    int timeoutS;

    @Option(names = "--storm", description = "Reconnecting clients of a storm (StormClient) instead of idle links")
    boolean storm;

    @Override
    public Integer call() throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String client : clients) {
            int colon = client.lastIndexOf(':');
            targets.add(new InetSocketAddress(client.substring(0, colon), Integer.parseInt(client.substring(colon + 1))));
        }
        EventLoopGroup loops = NettyThreads.group("bench-worker", 2);
        try {
            if (storm) {
                return storm(loops, targets.get(0), deadlineNs);
            }
            List<Channel> open = IdleLinks.open(loops, targets, links, firstUserId, source, connectConcurrency, (userId, frame) -> {
                if (frame.hasNotify()) {
                    long receivedNs = System.nanoTime();
                    System.out.println(NOTIFY + " " + userId + " " + receivedNs);
                }
            }, deadlineNs);
            System.out.println(OPENED + " " + open.size());
            awaitEndOfInput(System.in);
            open.forEach(Channel::close);
            return 0;
        } catch (Exception e) {
            System.out.println(FAILED + " " + e.toString().replace('\n', ' '));
            return 1;
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Fills the first target with storm clients, {@code connectConcurrency} logging in at once at most, and holds them until stdin ends. */
    private int storm(EventLoopGroup loops, InetSocketAddress fill, long deadlineNs) throws Exception {
        TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
        Semaphore slots = new Semaphore(connectConcurrency);
        EventLoopLag lag = new EventLoopLag(loops);
        AtomicBoolean stormStarted = new AtomicBoolean();
        AtomicInteger backCount = new AtomicInteger();
        StormClient.Report report = new StormClient.Report() {
            @Override
            public void filled(long userId) {
                slots.release();
            }

            @Override
            public void lost(long userId) {
                if (stormStarted.compareAndSet(false, true)) {
                    lag.reset();
                }
            }

            @Override
            public void back(long userId, StormClient.Comeback back) {
                System.out.printf(Locale.ROOT, "%s %d %d %d %d %d %d %d%n", BACK, userId, back.lostNs(), back.backNs(), back.attempts(),
                        back.attemptsInOneSecondMax(), back.refused(), back.authLatencyNs());
                if (backCount.incrementAndGet() == links) {
                    Histogram lateUs = lag.sinceReset();
                    System.out.printf(Locale.ROOT, "%s %d %d %d%n", LOOP_LAG, lateUs.getValueAtPercentile(50), lateUs.getValueAtPercentile(99),
                            lateUs.getMaxValue());
                }
            }

            @Override
            public void stormMessage(long userId, String clientMsgId, long receivedNs) {
                System.out.println(MESSAGE + " " + userId + " " + receivedNs);
            }
        };
        List<StormClient> clients = new ArrayList<>();
        long startNs = System.nanoTime();
        try {
            for (int i = 0; i < links; i++) {
                if (!slots.tryAcquire(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new TimeoutException("logged in " + (i - connectConcurrency) + " of " + links + " storm clients within --timeout-s");
                }
                long userId = firstUserId + i;
                StormClient client = new StormClient(userId, tokens.issue(userId, "bench", TOKEN_TTL_MS), loops.next(),
                        new InetSocketAddress("127.0.0." + (source + i / StormClient.CLIENTS_PER_SOURCE_ADDRESS), 0), List.of(fill), report, userId);
                clients.add(client);
                client.start();
            }
            if (!slots.tryAcquire(connectConcurrency, Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("not every one of " + links + " storm clients logged in and synced within --timeout-s");
            }
            System.err.printf(Locale.ROOT, "%d storm clients logged in and synced in %.1f s%n", links, (System.nanoTime() - startNs) / 1e9);
            System.out.println(OPENED + " " + links);
            awaitEndOfInput(System.in);
            return 0;
        } finally {
            clients.forEach(StormClient::stop);
            lag.close();
        }
    }

    private static void awaitEndOfInput(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // The bench writes nothing: only the end of the stream matters.
        }
    }
}

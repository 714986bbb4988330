package io.synkit.ops.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.synkit.runtime.NettyThreads;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
 */
@Command(name = "connections-worker", hidden = true, description = "A client worker of 'ops bench connections' (started by it).")
public final class ConnectionsWorkerCommand implements Callable<Integer> {

    static final String OPENED = "WORKER-OPENED";
    static final String NOTIFY = "WORKER-NOTIFY";
    static final String FAILED = "WORKER-FAILED";

    @Option(names = "--clients", required = true, split = ",", description = "Access nodes' client addresses, host:port")
    List<String> clients;

    @Option(names = "--links", required = true, description = "Links to open")
    int links;

    @Option(names = "--first-user", required = true, description = "User id of the first link; the others follow")
    long firstUserId;

    @Option(names = "--source", required = true, description = "x of the source address 127.0.0.x")
    int source;

    @Option(names = "--connect-concurrency", defaultValue = "256", description = "Links being opened at once at most")
    int connectConcurrency;

    @Option(names = "--timeout-s", defaultValue = "300", description = "Opening the links ends within this")
    int timeoutS;

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

    private static void awaitEndOfInput(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // The bench writes nothing: only the end of the stream matters.
        }
    }
}

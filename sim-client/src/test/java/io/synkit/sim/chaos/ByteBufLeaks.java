package io.synkit.sim.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Turns Netty's leak reports into test failures. Paranoid detection (set for surefire) only logs
 * a leak, and only once the leaked buffer has been collected and a later allocation polls for
 * it; over real sockets a test cannot check {@code refCnt()} of buffers it never sees. So this
 * listens on the ByteBuf leak detector and, after each test, collects garbage and allocates
 * until any leak would have been reported.
 *
 * <p>The detector is a package-private static of {@link AbstractByteBuf}; reading it needs
 * reflection, which is acceptable in a test and fails loudly if Netty renames it.
 */
final class ByteBufLeaks {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static final int POLL_ROUNDS = 4;

    private ByteBufLeaks() {
    }

    static synchronized void listen() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((resourceType, records) -> REPORTS.add(resourceType + " leaked:" + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach Netty's ByteBuf leak detector (AbstractByteBuf.leakDetector)", e);
        }
    }

    /** Fails if any ByteBuf allocated so far was garbage-collected without being released. */
    static void assertNoneLeaked() throws InterruptedException {
        for (int round = 0; round < POLL_ROUNDS; round++) {
            System.gc();
            Thread.sleep(25);
            // Each tracked allocation drains the detector's queue of collected, unreleased buffers.
            ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
            probe.release();
        }
        List<String> leaks = List.copyOf(REPORTS);
        REPORTS.clear();
        assertEquals(List.of(), leaks, "ByteBuf leaks");
    }
}

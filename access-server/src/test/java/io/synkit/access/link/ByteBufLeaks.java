package io.synkit.access.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns Netty's leak reports into test failures ({@code @ExtendWith(ByteBufLeaks.class)}).
 * Paranoid detection (set for surefire) tracks every buffer but only logs a leak, and only once
 * the leaked buffer was collected and a later allocation polls for it; this listens on the
 * ByteBuf leak detector and, after each test, collects garbage and allocates until any leak of
 * the test would have been reported (for a fuzz test, once after all its inputs). The detector
 * is a package-private static of {@link AbstractByteBuf}: reading it needs reflection, which
 * fails loudly if Netty renames it.
 */
public final class ByteBufLeaks implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static final int POLL_ROUNDS = 4;
    /** Set when a fuzz test ran: its inputs are checked together once the class is done. */
    private boolean fuzzInputsUnchecked;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        listen();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        // A fuzz test runs once per input: collecting garbage after each would cost seconds.
        if (context.getRequiredTestMethod().isAnnotationPresent(FuzzTest.class)) {
            fuzzInputsUnchecked = true;
            return;
        }
        assertNoLeaks();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (fuzzInputsUnchecked) {
            assertNoLeaks();
        }
    }

    private static void listen() throws ReflectiveOperationException {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
        field.setAccessible(true);
        ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
        detector.setLeakListener((resourceType, records) -> REPORTS.add(resourceType + " leaked:" + records));
    }

    private static void assertNoLeaks() throws InterruptedException {
        for (int round = 0; round < POLL_ROUNDS; round++) {
            System.gc();
            Thread.sleep(25); // lets the collector enqueue the phantom references it cleared
            // Each tracked allocation drains the detector's queue of collected, unreleased buffers.
            ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
            probe.release();
        }
        List<String> leaks = List.copyOf(REPORTS);
        REPORTS.clear();
        assertEquals(List.of(), leaks, "ByteBuf leaks");
    }
}

package io.synkit.access.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A1: a stalled event loop makes the node not ready; a dead or long-stalled one ends the process. */
class LoopWatchdogTest {

    private final DefaultEventLoop healthy = new DefaultEventLoop();
    private final DefaultEventLoop watched = new DefaultEventLoop();
    private final List<String> halts = new CopyOnWriteArrayList<>();
    private final LoopWatchdog watchdog = new LoopWatchdog("io", List.of(healthy, watched), 1000, 2, 5, halts::add);
    private final CountDownLatch unblock = new CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        unblock.countDown();
        healthy.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
        watched.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
    }

    @Test
    void loopsThatRunTheirProbesAreReady() throws Exception {
        for (int tick = 0; tick < 10; tick++) {
            watchdog.tick();
            drain(healthy);
            drain(watched);
        }
        assertNull(watchdog.stalledReason());
        assertTrue(halts.isEmpty());
    }

    @Test
    void aStalledLoopMakesTheNodeNotReadyThenHaltsIt() throws Exception {
        watched.execute(this::block);
        watchdog.tick();
        drain(healthy);
        watchdog.tick();
        drain(healthy);
        assertNull(watchdog.stalledReason(), "one missed tick is not a stall yet");
        watchdog.tick();
        drain(healthy);
        assertEquals("event loop io-2 ran no task for 2000 ms", watchdog.stalledReason());
        assertTrue(halts.isEmpty());
        watchdog.tick();
        drain(healthy);
        watchdog.tick();
        drain(healthy);
        assertTrue(halts.isEmpty());
        watchdog.tick();
        assertEquals(List.of("event loop io-2 ran no task for 5000 ms"), halts);
    }

    @Test
    void aLoopThatRecoversIsReadyAgain() throws Exception {
        watched.execute(this::block);
        for (int tick = 0; tick < 3; tick++) {
            watchdog.tick();
            drain(healthy);
        }
        assertEquals("event loop io-2 ran no task for 2000 ms", watchdog.stalledReason());
        unblock.countDown();
        drain(watched);
        watchdog.tick();
        drain(healthy);
        assertNull(watchdog.stalledReason());
        assertTrue(halts.isEmpty());
    }

    @Test
    void aLoopThatDiesWhileTheNodeServesHaltsIt() throws Exception {
        watched.shutdownGracefully(0, 0, TimeUnit.SECONDS).await();
        watchdog.tick();
        assertEquals(List.of("event loop io-2 terminated while the node serves"), halts);
    }

    @Test
    void loopsStoppingWithTheNodeDoNotHaltIt() throws Exception {
        watchdog.stop();
        watched.shutdownGracefully(0, 0, TimeUnit.SECONDS).await();
        watchdog.tick();
        assertTrue(halts.isEmpty());
    }

    private void block() {
        try {
            unblock.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns once every task queued on {@code loop} before it has run. */
    private static void drain(EventExecutor loop) throws Exception {
        loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }
}

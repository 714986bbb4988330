package io.synkit.access.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A1: which failures end the process. */
class HaltTest {

    private final List<String> halts = new CopyOnWriteArrayList<>();
    private final Halt halt = halts::add;

    @Test
    void aJvmErrorHaltsAsTheFailureOrAsItsCause() {
        halt.ifFatal(new OutOfMemoryError("Java heap space"));
        halt.ifFatal(new CompletionException(new StackOverflowError("deep")));
        assertEquals(List.of("java.lang.OutOfMemoryError: Java heap space", "java.lang.StackOverflowError: deep"), halts);
    }

    @Test
    void otherFailuresDoNotHalt() {
        halt.ifFatal(new IllegalStateException("bug", new RuntimeException("cause")));
        halt.ifFatal(new AssertionError("an Error that is not the JVM's"));
        assertTrue(halts.isEmpty());
    }

    @Test
    void anOutOfMemoryErrorThatKillsAThreadHaltsTheProcess() throws InterruptedException {
        Thread thread = new Thread(() -> {
            throw new OutOfMemoryError("unable to create native thread");
        }, "accept");
        thread.setUncaughtExceptionHandler(halt.uncaughtHandler());
        thread.start();
        thread.join();
        assertEquals(List.of("java.lang.OutOfMemoryError: unable to create native thread"), halts);
    }
}

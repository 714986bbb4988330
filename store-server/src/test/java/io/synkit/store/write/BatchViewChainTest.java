package io.synkit.store.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.synkit.store.engine.Column;
import io.synkit.store.engine.StoreEngine;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views of a long chain of in-flight batches, built the way the pipeline's writer builds them. */
class BatchViewChainTest {

    private static final int INFLIGHT = 4;

    @TempDir
    Path dir;

    @Test
    void aViewReadsEarlierBatchesWritesAndSealedViewsDoNotKeepTheWholeChainAlive() throws InterruptedException {
        try (StoreEngine engine = new StoreEngine(dir.resolve("db"))) {
            ArrayDeque<BatchView> inflight = new ArrayDeque<>();
            WeakReference<BatchView> first = null;
            for (int batch = 0; batch < 200; batch++) {
                BatchView view = new BatchView(engine, List.copyOf(inflight));
                if (batch > 0) {
                    assertArrayEquals(new byte[] {(byte) (batch - 1)}, view.get(Column.META, new byte[] {'k'}), "the previous batch's write is seen");
                }
                view.put(Column.META, new byte[] {'k'}, new byte[] {(byte) batch});
                view.seal();
                if (first == null) {
                    first = new WeakReference<>(view);
                }
                inflight.addLast(view);
                if (inflight.size() > INFLIGHT) {
                    inflight.pollFirst(); // the oldest batch committed
                }
            }
            for (int attempt = 0; attempt < 10 && first.get() != null; attempt++) {
                System.gc(); // a full collection; the loop only covers a collector that defers the request
                Thread.sleep(10);
            }
            assertNull(first.get(), "the first view of the chain is unreachable once it left the in-flight window");
        }
    }
}

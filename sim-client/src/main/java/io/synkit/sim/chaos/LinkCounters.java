package io.synkit.sim.chaos;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a proxy's links did, counted on their event loops and read from any thread. Each counter
 * only grows.
 */
final class LinkCounters {

    final LongAdder connections = new LongAdder();
    final LongAdder bytesForwarded = new LongAdder();
    final LongAdder stalls = new LongAdder();
    final LongAdder resets = new LongAdder();
    final LongAdder halfOpens = new LongAdder();
    final LongAdder natDrops = new LongAdder();

    ChaosProxy.Stats snapshot() {
        return new ChaosProxy.Stats(connections.sum(), bytesForwarded.sum(), stalls.sum(), resets.sum(), halfOpens.sum(), natDrops.sum());
    }
}

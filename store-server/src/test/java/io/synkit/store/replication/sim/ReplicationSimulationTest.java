package io.synkit.store.replication.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the replication simulation over many seeds. Defaults to 1,000 seeds (CI); more with
 * {@code -Dsynkit.sim.seeds=100000}, another range with {@code -Dsynkit.sim.firstSeed=N}, one seed
 * replayed with {@code -Dsynkit.sim.seed=N}.
 */
class ReplicationSimulationTest {

    @Test
    void noCommittedEntryIsLostOrChangedUnderCrashesPausesPartitionsFsyncFailuresWipedDisksAndHandOvers() {
        Long single = Long.getLong("synkit.sim.seed");
        long first = single != null ? single : Long.getLong("synkit.sim.firstSeed", 1L);
        long count = single != null ? 1 : Long.getLong("synkit.sim.seeds", 1000L);
        long startNs = System.nanoTime();
        long acks = 0;
        long leaseReads = 0;
        long epochs = 0;
        long snapshots = 0;
        long wipes = 0;
        long handOversRequested = 0;
        long handOversDone = 0;
        for (long seed = first; seed < first + count; seed++) {
            ReplicationSimulation.Outcome outcome = new ReplicationSimulation(seed).run();
            acks += outcome.acks();
            leaseReads += outcome.leaseReads();
            epochs += outcome.epochs();
            snapshots += outcome.snapshotsInstalled();
            wipes += outcome.wipes();
            handOversRequested += outcome.handOversRequested();
            handOversDone += outcome.handOversDone();
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        System.out.printf("simulation seeds=%d..%d passed: acks=%d lease_reads=%d epochs=%d snapshots_installed=%d wipes=%d"
                + " hand_overs_requested=%d hand_overs_done=%d elapsed_ms=%d%n",
                first, first + count - 1, acks, leaseReads, epochs, snapshots, wipes, handOversRequested, handOversDone, elapsedMs);
        assertTrue(acks > count, "writes were acknowledged across the runs");
        if (count >= 100) {
            assertTrue(snapshots > 0 && wipes > 0, "the runs exercised wiped disks and snapshot installs");
            assertTrue(handOversDone > count / 2, "the runs exercised hand-overs: " + handOversDone + " of " + handOversRequested + " requested");
        }
    }
}

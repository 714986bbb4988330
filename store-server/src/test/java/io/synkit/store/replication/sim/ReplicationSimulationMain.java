package io.synkit.store.replication.sim;

import java.util.concurrent.TimeUnit;

/**
 * Runs many simulation seeds from the command line, reporting progress and stopping at the first
 * failure (printing its seed and replay command). Usage, after {@code mvn -pl store-server -am test-compile}:
 * <pre>
 * java -cp "$(cat store-server/target/sim.classpath):store-server/target/classes:store-server/target/test-classes" \
 *     io.synkit.store.replication.sim.ReplicationSimulationMain [firstSeed] [count]
 * </pre>
 */
public final class ReplicationSimulationMain {

    private ReplicationSimulationMain() {
    }

    public static void main(String[] args) {
        long first = args.length > 0 ? Long.parseLong(args[0]) : 1;
        long count = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        long startNs = System.nanoTime();
        for (long seed = first; seed < first + count; seed++) {
            try {
                new ReplicationSimulation(seed).run();
            } catch (SimulationFailure e) {
                System.out.println(e.getMessage());
                System.exit(1);
            }
            if ((seed - first + 1) % 10_000 == 0) {
                System.out.printf("seeds %d..%d passed, %d s%n", first, seed, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs));
            }
        }
        System.out.printf("simulation seeds=%d..%d passed in %d s%n", first, first + count - 1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs));
    }
}

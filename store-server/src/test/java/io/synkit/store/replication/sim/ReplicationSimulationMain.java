package io.synkit.store.replication.sim;

import java.util.concurrent.TimeUnit;

/**
 * Runs many simulation seeds from the command line, reporting progress every 10,000 seeds and
 * stopping at the first failure (printing its seed and replay command). The simulation needs only
 * protobuf and the SLF4J API besides the project's classes. After
 * {@code mvn -B -q -pl store-server -am test-compile}:
 * <pre>
 * java -cp $HOME/.m2/repository/com/google/protobuf/protobuf-java/4.32.1/protobuf-java-4.32.1.jar:\
 *   $HOME/.m2/repository/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar:protocol/target/classes:\
 *   store-server/target/classes:store-server/target/test-classes \
 *   io.synkit.store.replication.sim.ReplicationSimulationMain [firstSeed=1] [count=100000]
 * </pre>
 * Or through Maven: {@code mvn -pl store-server -am test -Dtest=ReplicationSimulationTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsynkit.sim.seeds=100000}.
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

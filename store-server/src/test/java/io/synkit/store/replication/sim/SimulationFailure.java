package io.synkit.store.replication.sim;

/** An invariant broke in a simulated run; the message holds the seed, how to replay and the last events. */
final class SimulationFailure extends RuntimeException {

    SimulationFailure(String message) {
        super(message, null, false, false);
    }
}

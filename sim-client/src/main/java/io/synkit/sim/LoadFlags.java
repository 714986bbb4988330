package io.synkit.sim;

import picocli.CommandLine.Option;

/**
 * The load flags every command that drives simulated devices takes ({@code sim-client},
 * {@code ops demo}): how fast, how long, how long to settle, and the seed. Declared once, so the
 * commands cannot drift apart in names, defaults or meaning.
 */
public final class LoadFlags {

    @Option(names = "--rate", defaultValue = "200", description = "Messages per second, open loop (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--duration-s", defaultValue = "30", description = "Seconds of sending (default ${DEFAULT-VALUE})")
    int durationS;

    @Option(names = "--converge-timeout-s", defaultValue = "30", description = "Seconds allowed to settle after sending (default ${DEFAULT-VALUE})")
    int convergeTimeoutS;

    @Option(names = "--seed", description = "Random seed (default: time-based, printed)")
    Long seed;

    public double rate() {
        return rate;
    }

    public long durationMs() {
        return durationS * 1000L;
    }

    public long convergeTimeoutMs() {
        return convergeTimeoutS * 1000L;
    }

    /** The seed given, else one drawn from the time (every run prints its seed, so it replays). */
    public long seed() {
        return seed != null ? seed : System.nanoTime();
    }
}

package io.synkit.sim.run;

/** Watches a run as it goes: cumulative counts about once a second, and faults as they happen. */
public interface RunObserver {

    void sample(long elapsedMs, long sent, long acked, long delivered);

    void fault(long elapsedMs, String label);

    RunObserver NONE = new RunObserver() {
        @Override
        public void sample(long elapsedMs, long sent, long acked, long delivered) {
        }

        @Override
        public void fault(long elapsedMs, String label) {
        }
    };
}

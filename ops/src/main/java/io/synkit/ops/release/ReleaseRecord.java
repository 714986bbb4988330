package io.synkit.ops.release;

import java.util.List;

/**
 * What one release did, kept in {@code <cluster>/releases/<id>.json} and listed by
 * {@code ops release list}: who ran it, what it moved to which build, when, every step with its
 * gates' readings, the rollback steps if any, and the outcome.
 *
 * @param from each node's version before the release, e.g. {@code s1-r0=0.1.0/1}
 * @param outcome {@code released}, {@code rolled back: <why>}, or {@code failed: <why>} (a rollback that could not finish)
 */
public record ReleaseRecord(String id, String who, String target, List<String> from, String to, String started, String ended,
                            List<Step> steps, List<Step> rollback, String outcome) {

    /** One step: a node restarted on a build (after a hand-over when it was the primary), and the gates after it. */
    public record Step(int step, String node, String action, List<ReleaseGates.Result> gates, boolean passed, long tookMs) {
    }

    public boolean released() {
        return outcome.equals("released");
    }
}

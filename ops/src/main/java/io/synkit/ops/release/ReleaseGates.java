package io.synkit.ops.release;

/**
 * The health gates of a release and their limits, checked after every step over a soak: the SET
 * has a primary holding its lease, every replica's lag, the server-error rate and the send p99
 * at logic over the soak, and the verdict of a simulated-client run during the soak (nothing
 * lost, duplicated or reordered, no failed send, converged).
 *
 * @param soakMs how long each step is watched once its node caught up
 * @param catchUpTimeoutMs a restarted replica must answer, vote again and be within the lag limit by then
 * @param lagEntriesMax a replica lagging more committed entries than this fails the lag gate
 * @param errorRateMax the share of logic requests answered UNAVAILABLE, TIMEOUT or INTERNAL during the soak, at most
 * @param p99MsMax the p99 of sends at logic during the soak, at most
 * @param canaryMessagesPerSecond send rate of the soak's simulated clients (8 devices of 4 users)
 * @param drillFailStep for drills: the step (1-based) whose gates fail on purpose, to see a rollback; 0 = none
 */
public record ReleaseGates(long soakMs, long catchUpTimeoutMs, long lagEntriesMax, double errorRateMax, double p99MsMax,
                           double canaryMessagesPerSecond, int drillFailStep) {

    public ReleaseGates {
        if (soakMs < 1000 || catchUpTimeoutMs < 1000 || lagEntriesMax < 0 || errorRateMax < 0 || errorRateMax > 1 || p99MsMax <= 0
                || canaryMessagesPerSecond <= 0 || drillFailStep < 0) {
            throw new IllegalArgumentException("gates need soak and catch-up >= 1 s, lag >= 0, error rate in [0, 1], p99 > 0, canary rate > 0,"
                    + " drill step >= 0; got soakMs=" + soakMs + " catchUpTimeoutMs=" + catchUpTimeoutMs + " lagEntriesMax=" + lagEntriesMax
                    + " errorRateMax=" + errorRateMax + " p99MsMax=" + p99MsMax + " canaryMessagesPerSecond=" + canaryMessagesPerSecond
                    + " drillFailStep=" + drillFailStep);
        }
    }

    /** One gate's reading after a step. */
    public record Result(String gate, String value, String limit, boolean passed) {
        @Override
        public String toString() {
            return gate + "=" + value + (passed ? " ok" : " FAILED (limit " + limit + ")");
        }
    }
}

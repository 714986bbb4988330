package io.synkit.sim.client;

/**
 * The heartbeat interval a client uses, adapted to its network (docs/protocol.md §14): every
 * heartbeat keeps a mobile network's NAT mapping alive and costs radio time, so a client beats as
 * rarely as its path allows. It starts at the server's suggested interval and, after
 * {@link #SURVIVALS_TO_GROW} heartbeats answered in a row at one interval, grows it by a step, up
 * to the server's maximum. When a link dies silently (a heartbeat unanswered within two intervals:
 * a NAT dropped the mapping) at an interval above the longest one known to survive, it goes back
 * to that one and never tries the failed interval again on this network; a death at a known-good
 * interval steps it down, not below the suggestion. Single-threaded (the client's event loop).
 */
public final class AdaptiveHeartbeat {

    /** Answered heartbeats at one interval before it grows. */
    public static final int SURVIVALS_TO_GROW = 3;

    private final int stepMs;
    private int suggestedMs;
    private int maxMs;
    private int intervalMs;
    private int knownGoodMs;
    /** The shortest interval a link died at; never tried again (Integer.MAX_VALUE: none yet). */
    private int failedMs = Integer.MAX_VALUE;
    private int survivals;

    /** @param stepMs how much the interval grows at a time */
    public AdaptiveHeartbeat(int stepMs) {
        if (stepMs < 1) {
            throw new IllegalArgumentException("stepMs=" + stepMs + " must be >= 1");
        }
        this.stepMs = stepMs;
    }

    /** A link authenticated: the server's suggestion and maximum (AuthResponse); the interval resumes at the longest known to survive. */
    public void authenticated(int suggestedMs, int maxMs) {
        this.suggestedMs = suggestedMs;
        this.maxMs = Math.max(suggestedMs, maxMs);
        this.intervalMs = Math.min(this.maxMs, Math.max(suggestedMs, knownGoodMs));
        this.survivals = 0;
    }

    /** The interval to wait before the next heartbeat, and to tell the server in it. */
    public int intervalMs() {
        return intervalMs;
    }

    /** A heartbeat was answered: the interval survived once more, and grows after enough survivals. */
    public void answered() {
        knownGoodMs = Math.max(knownGoodMs, intervalMs);
        if (++survivals < SURVIVALS_TO_GROW) {
            return;
        }
        int next = Math.min(maxMs, intervalMs + stepMs);
        if (next > intervalMs && next < failedMs) {
            intervalMs = next;
            survivals = 0;
        }
    }

    /** The link died silently (no answer within two intervals, no close from the server): a NAT timeout, probably. */
    public void diedSilently() {
        if (intervalMs > knownGoodMs) {
            failedMs = Math.min(failedMs, intervalMs);
            intervalMs = Math.max(suggestedMs, knownGoodMs);
        } else {
            failedMs = Math.min(failedMs, intervalMs);
            knownGoodMs = Math.max(suggestedMs, intervalMs - stepMs);
            intervalMs = knownGoodMs;
        }
        survivals = 0;
    }

    /** The network changed (another Wi-Fi, cellular): what survived on the old one says nothing about the new one. */
    public void networkChanged() {
        knownGoodMs = 0;
        failedMs = Integer.MAX_VALUE;
        intervalMs = suggestedMs;
        survivals = 0;
    }
}

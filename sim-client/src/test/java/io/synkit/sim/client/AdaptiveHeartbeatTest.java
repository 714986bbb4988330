package io.synkit.sim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reference client's heartbeat interval: grows while links survive, backs off on NAT timeouts. */
class AdaptiveHeartbeatTest {

    private final AdaptiveHeartbeat heartbeat = new AdaptiveHeartbeat(30_000);

    private void survive(int heartbeats) {
        for (int i = 0; i < heartbeats; i++) {
            heartbeat.answered();
        }
    }

    @Test
    void theIntervalGrowsByAStepAfterEnoughSurvivalsUpToTheServersMaximum() {
        heartbeat.authenticated(30_000, 120_000);
        assertEquals(30_000, heartbeat.intervalMs());
        survive(AdaptiveHeartbeat.SURVIVALS_TO_GROW);
        assertEquals(60_000, heartbeat.intervalMs());
        survive(100);
        assertEquals(120_000, heartbeat.intervalMs());
    }

    @Test
    void aNatTimeoutAtANewIntervalGoesBackToTheLastGoodOneAndNeverTriesTheFailedOneAgain() {
        heartbeat.authenticated(30_000, 300_000);
        survive(3 * AdaptiveHeartbeat.SURVIVALS_TO_GROW);
        assertEquals(120_000, heartbeat.intervalMs());

        heartbeat.diedSilently();
        heartbeat.authenticated(30_000, 300_000);

        assertEquals(90_000, heartbeat.intervalMs(), "back to the last interval that survived, at once after reconnecting");
        survive(100);
        assertEquals(90_000, heartbeat.intervalMs(), "120 s failed on this network: never tried again");
        heartbeat.networkChanged();
        assertEquals(30_000, heartbeat.intervalMs());
    }

    @Test
    void deathsAtAKnownGoodIntervalStepItDownButNotBelowTheSuggestion() {
        heartbeat.authenticated(30_000, 300_000);
        survive(AdaptiveHeartbeat.SURVIVALS_TO_GROW + 1);
        assertEquals(60_000, heartbeat.intervalMs());
        heartbeat.diedSilently();
        assertEquals(30_000, heartbeat.intervalMs());
        heartbeat.diedSilently();
        assertEquals(30_000, heartbeat.intervalMs());
    }
}

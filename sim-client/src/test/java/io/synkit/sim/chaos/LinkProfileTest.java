package io.synkit.sim.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkProfileTest {

    @Test
    void everyKnownNameResolvesToItsProfile() {
        assertEquals(List.of("clean", "3g", "2g", "flaky-wifi", "subway"), LinkProfile.names());
        for (String name : LinkProfile.names()) {
            assertEquals(name, LinkProfile.named(name).name());
        }
    }

    @Test
    void cleanProfileTouchesNothing() {
        assertEquals(new LinkProfile("clean", 0, 0, 0, 0, 0, 0, 0, 0, 0), LinkProfile.named("clean"));
    }

    @Test
    void subwayHasLongStallsHalfOpensAndANatTimeout() {
        LinkProfile subway = LinkProfile.named("subway");
        assertEquals(5_000, subway.stallMsMin());
        assertEquals(20_000, subway.stallMsMax());
        assertTrue(subway.halfOpensPerMinute() > 0);
        assertEquals(30_000, subway.natIdleTimeoutMs());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> LinkProfile.named("5g"));
        assertTrue(unknown.getMessage().contains("'5g'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("clean, 3g, 2g, flaky-wifi, subway"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinkProfile.named(null));
    }

    @Test
    void rejectsEachBadFieldNamingFieldAndValue() {
        assertRejected("latencyMs=-1", () -> new LinkProfile("p", -1, 0, 0, 0, 0, 0, 0, 0, 0));
        assertRejected("jitterMs=600001", () -> new LinkProfile("p", 0, 600_001, 0, 0, 0, 0, 0, 0, 0));
        assertRejected("bandwidthBytesPerSecond=-5", () -> new LinkProfile("p", 0, 0, -5, 0, 0, 0, 0, 0, 0));
        assertRejected("stallsPerMinute=NaN", () -> new LinkProfile("p", 0, 0, 0, Double.NaN, 0, 10, 0, 0, 0));
        assertRejected("stallsPerMinute=-1.0", () -> new LinkProfile("p", 0, 0, 0, -1, 0, 10, 0, 0, 0));
        assertRejected("stallMsMin=-1", () -> new LinkProfile("p", 0, 0, 0, 0, -1, 10, 0, 0, 0));
        assertRejected("resetsPerMinute=Infinity", () -> new LinkProfile("p", 0, 0, 0, 0, 0, 0, Double.POSITIVE_INFINITY, 0, 0));
        assertRejected("halfOpensPerMinute=60001.0", () -> new LinkProfile("p", 0, 0, 0, 0, 0, 0, 0, 60_001, 0));
        assertRejected("natIdleTimeoutMs=-30", () -> new LinkProfile("p", 0, 0, 0, 0, 0, 0, 0, 0, -30));
        assertRejected("name='  '", () -> new LinkProfile("  ", 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertRejected("name=null", () -> new LinkProfile(null, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void crossFieldErrorsPrintBothValues() {
        assertRejected("stallMsMin=500 must be <= stallMsMax=200", () -> new LinkProfile("p", 0, 0, 0, 1, 500, 200, 0, 0, 0));
        assertRejected("stallsPerMinute=1.0 needs stallMsMax > 0, got stallMsMax=0", () -> new LinkProfile("p", 0, 0, 0, 1, 0, 0, 0, 0, 0));
    }

    private static void assertRejected(String expected, Runnable construct) {
        IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class, construct::run, expected);
        assertTrue(rejected.getMessage().contains(expected), "message '" + rejected.getMessage() + "' should contain '" + expected + "'");
    }
}

package io.synkit.access.limit;

/** What a rate limit says about one request: allowed, or refused (limited or blocked) with the time to wait. */
public record Verdict(Outcome outcome, int retryAfterMs) {

    public enum Outcome { ALLOWED, LIMITED, BLOCKED }

    public static final Verdict ALLOWED = new Verdict(Outcome.ALLOWED, 0);

    public boolean allowed() {
        return outcome == Outcome.ALLOWED;
    }
}

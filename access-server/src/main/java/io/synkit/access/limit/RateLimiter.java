package io.synkit.access.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.synkit.runtime.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets by key (an address, a user) with escalating blocks on abuse ({@link RateLimit}).
 * A bucket is kept as one time, GCRA-style: the time at which it would be full again; spending
 * moves that time forward by the tokens' worth, and a spend that would move it more than the
 * burst's worth past now is refused. Abuse is counted in strikes ({@link #strike}, and with
 * {@code limitedIsAbuse} every refused spend): {@link RateLimit#strikesToBlock()} strikes, none
 * more than {@link #STRIKE_MEMORY_MS} after the one before, block the key. For addresses only
 * misbehaviour strikes (forged tokens, bad frames), not a high connection rate: thousands of
 * phones behind one carrier NAT reconnecting after a node died look like that and must only be
 * paced, never blocked. Only keys that spent or struck recently have an entry: {@link #sweep}
 * drops the others, so idle keys (an idle link's user) cost nothing. At most {@code keysMax} keys
 * are tracked; a key beyond is let through (counted), so a flood from more keys than that degrades
 * to no limit rather than refusing all. Thread-safe: entries are locked one at a time (a key
 * swept while being spent on may lose that spend: one burst more for a key that was idle).
 */
public final class RateLimiter<K> {

    /** Strikes further apart than this do not add up. */
    public static final long STRIKE_MEMORY_MS = 60_000;

    private static final class Entry {
        /** When the bucket is full again; at or before now: full. */
        long fullAtNs;
        int strikes;
        long lastStrikeNs;
        int blocks;
        long blockedUntilNs;
        long lastBlockEndNs;
    }

    private final RateLimit limit;
    private final Clock clock;
    private final int keysMax;
    private final long tokenNs;
    private final long burstNs;
    private final Map<K, Entry> entries = new ConcurrentHashMap<>();
    private final Counter limited;
    private final Counter blocked;
    private final Counter blocksStarted;
    private final Counter untracked;

    private final boolean limitedIsAbuse;

    /**
     * @param limitedIsAbuse whether a refused spend is a strike (users: yes; addresses: no, see the class comment)
     * @param scope the metric label naming the keys ({@code address}, {@code user})
     */
    public RateLimiter(RateLimit limit, boolean limitedIsAbuse, Clock clock, int keysMax, MeterRegistry metrics, String scope) {
        this.limit = limit;
        this.limitedIsAbuse = limitedIsAbuse;
        this.clock = clock;
        this.keysMax = keysMax;
        this.tokenNs = limit.enabled() ? TimeUnit.SECONDS.toNanos(1) / limit.ratePerS() : 0;
        this.burstNs = tokenNs * limit.burst();
        this.limited = metrics.counter("synkit_access_rate_limited", "scope", scope, "outcome", "limited");
        this.blocked = metrics.counter("synkit_access_rate_limited", "scope", scope, "outcome", "blocked");
        this.blocksStarted = metrics.counter("synkit_access_rate_blocks", "scope", scope);
        this.untracked = metrics.counter("synkit_access_rate_untracked", "scope", scope);
    }

    /** Spends {@code tokens} of {@code key}'s bucket, or says how long to wait. */
    public Verdict spend(K key, int tokens) {
        if (!limit.enabled()) {
            return Verdict.ALLOWED;
        }
        Entry entry = entry(key);
        if (entry == null) {
            return Verdict.ALLOWED;
        }
        long nowNs = clock.nanoTime();
        synchronized (entry) {
            if (entry.blockedUntilNs - nowNs > 0) {
                blocked.increment();
                return new Verdict(Verdict.Outcome.BLOCKED, millisUp(entry.blockedUntilNs - nowNs));
            }
            if (entry.fullAtNs - nowNs <= 0) {
                entry.fullAtNs = nowNs;
            }
            long fullAtNs = entry.fullAtNs + tokenNs * tokens;
            if (fullAtNs - nowNs <= burstNs) {
                entry.fullAtNs = fullAtNs;
                return Verdict.ALLOWED;
            }
            limited.increment();
            if (limitedIsAbuse && struck(entry, nowNs)) {
                return block(entry, nowNs);
            }
            return new Verdict(Verdict.Outcome.LIMITED, millisUp(fullAtNs - nowNs - burstNs));
        }
    }

    /** Counts one misbehaviour of {@code key} (a forged token, a malformed frame); enough of them block it. */
    public void strike(K key) {
        if (!limit.enabled()) {
            return;
        }
        Entry entry = entry(key);
        if (entry == null) {
            return;
        }
        long nowNs = clock.nanoTime();
        synchronized (entry) {
            if (entry.blockedUntilNs - nowNs <= 0 && struck(entry, nowNs)) {
                block(entry, nowNs);
            }
        }
    }

    /** Adds a strike (forgetting earlier ones past their memory); true when the key has struck enough to be blocked. */
    private boolean struck(Entry entry, long nowNs) {
        if (entry.strikes > 0 && nowNs - entry.lastStrikeNs > TimeUnit.MILLISECONDS.toNanos(STRIKE_MEMORY_MS)) {
            entry.strikes = 0;
        }
        entry.strikes++;
        entry.lastStrikeNs = nowNs;
        return entry.strikes >= limit.strikesToBlock();
    }

    /** Blocks the key: the base time, doubled for each block since it last behaved for the longest block. */
    private Verdict block(Entry entry, long nowNs) {
        if (entry.blocks > 0 && nowNs - entry.lastBlockEndNs > TimeUnit.MILLISECONDS.toNanos(limit.blockMaxMs())) {
            entry.blocks = 0;
        }
        long blockMs = Math.min(limit.blockMaxMs(), (long) limit.blockBaseMs() << Math.min(entry.blocks, 30));
        entry.blocks++;
        entry.strikes = 0;
        entry.blockedUntilNs = nowNs + TimeUnit.MILLISECONDS.toNanos(blockMs);
        entry.lastBlockEndNs = entry.blockedUntilNs;
        blocksStarted.increment();
        return new Verdict(Verdict.Outcome.BLOCKED, (int) blockMs);
    }

    private Entry entry(K key) {
        Entry entry = entries.get(key);
        if (entry != null) {
            return entry;
        }
        if (entries.size() >= keysMax) {
            untracked.increment();
            return null;
        }
        return entries.computeIfAbsent(key, k -> new Entry());
    }

    /**
     * Forgets keys with a full bucket, no strike to remember, not blocked, and not blocked within the
     * longest block time (so escalation remembers a recent abuser). Run every second or so.
     */
    public void sweep() {
        long nowNs = clock.nanoTime();
        long rememberNs = TimeUnit.MILLISECONDS.toNanos(limit.blockMaxMs());
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            synchronized (entry) {
                boolean full = entry.fullAtNs - nowNs <= 0;
                boolean forgiven = entry.blocks == 0 || nowNs - entry.lastBlockEndNs > rememberNs;
                boolean noStrikes = entry.strikes == 0 || nowNs - entry.lastStrikeNs > TimeUnit.MILLISECONDS.toNanos(STRIKE_MEMORY_MS);
                if (full && forgiven && noStrikes && entry.blockedUntilNs - nowNs <= 0) {
                    it.remove();
                }
            }
        }
    }

    /** Keys tracked now. */
    public int keyCount() {
        return entries.size();
    }

    private static int millisUp(long ns) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(ns + 999_999)));
    }
}

package io.synkit.access.link;

import io.synkit.access.health.Halt;
import io.synkit.runtime.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The links of one event loop, checked by one periodic sweep instead of timers per link. Each run
 * asks every link whether one of its deadlines has passed (auth, idle, token expiry, unwritable;
 * {@link ClientLink#sweep}), so a deadline acts within one sweep interval after it passes. Timers
 * per link cost about 200 bytes of every idle link and, never cancelled, kept closed links alive
 * until their token expired; a link in this list is removed when it closes and leaves nothing.
 *
 * <p>The list is threaded through the links themselves ({@link ClientLink#sweepPrev},
 * {@link ClientLink#sweepNext}): no node per link. Confined to its event loop: {@link #add},
 * {@link #remove} and {@link #run} are all called there.
 */
public final class LinkSweep implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LinkSweep.class);

    private final Clock clock;
    private final Halt halt;
    private ClientLink head;
    private int size;

    public LinkSweep(Clock clock, Halt halt) {
        this.clock = clock;
        this.halt = halt;
    }

    void add(ClientLink link) {
        if (link.sweepPrev != null || link.sweepNext != null || head == link) {
            throw new IllegalStateException("link " + link + " is in a sweep already");
        }
        link.sweepNext = head;
        if (head != null) {
            head.sweepPrev = link;
        }
        head = link;
        size++;
    }

    void remove(ClientLink link) {
        if (link.sweepPrev == null && head != link) {
            throw new IllegalStateException("link " + link + " is not in this sweep");
        }
        if (link.sweepPrev == null) {
            head = link.sweepNext;
        } else {
            link.sweepPrev.sweepNext = link.sweepNext;
        }
        if (link.sweepNext != null) {
            link.sweepNext.sweepPrev = link.sweepPrev;
        }
        link.sweepPrev = null;
        link.sweepNext = null;
        size--;
    }

    /** Links in this sweep now: every open link of the loop. */
    public int size() {
        return size;
    }

    @Override
    public void run() {
        int nowMs = ClientLink.monotonicMs(clock);
        long wallNowMs = clock.nowMs();
        for (ClientLink link = head; link != null; ) {
            // Read first: a link that closes is unlinked later (channelInactive runs as its own task), but never rely on it.
            ClientLink next = link.sweepNext;
            try {
                link.sweep(nowMs, wallNowMs);
            } catch (RuntimeException | Error e) {
                // One broken link must not end the sweep: a throwing periodic task is never run again.
                halt.ifFatal(e);
                log.warn("link sweep failed link={} reason=\"{}\"", link, e.toString());
                link.close();
            }
            link = next;
        }
    }
}

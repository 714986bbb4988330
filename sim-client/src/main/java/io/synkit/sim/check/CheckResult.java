package io.synkit.sim.check;

import java.util.List;

/**
 * What the checker found.
 *
 * @param sent messages the devices sent (each client_msg_id once, however often retried)
 * @param acked messages acknowledged to their sender
 * @param failed messages refused with a non-retryable error
 * @param delivered ops received by all devices together
 * @param lost (acked message, device that must have it) pairs missing
 * @param duplicated deliveries of a message to a device beyond its first
 * @param reordered per-device seq gaps or reversals, conv_seq gaps or reversals, conversation
 *                  order conflicts between devices, and sync pages failing their digest
 * @param unackedDelivered messages delivered though never acked (allowed: the ack was lost)
 * @param evidence the smallest examples of each violation, for a person to start from
 * @param foreign deliveries of a group entry to a device whose user was not a member at that entry
 * @param unreadMismatches users whose devices disagree on read marks or unread counts (with each
 *                         other or with the server's conversation list)
 */
public record CheckResult(long sent, long acked, long failed, long delivered, long lost, long duplicated, long reordered,
                          long unackedDelivered, List<String> evidence, long foreign, long unreadMismatches) {

    /** A run without membership changes or read state to judge. */
    public CheckResult(long sent, long acked, long failed, long delivered, long lost, long duplicated, long reordered, long unackedDelivered,
                       List<String> evidence) {
        this(sent, acked, failed, delivered, lost, duplicated, reordered, unackedDelivered, evidence, 0, 0);
    }

    public boolean passed() {
        return lost == 0 && duplicated == 0 && reordered == 0 && foreign == 0 && unreadMismatches == 0;
    }
}

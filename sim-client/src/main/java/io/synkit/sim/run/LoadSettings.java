package io.synkit.sim.run;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One load run: who, how fast, how long.
 *
 * @param accessNodes client addresses of the access nodes; devices spread over them
 * @param devicesByUser how many devices user i+1 has online at once; users are 1..size
 * @param messagesPerSecond open-loop send rate of the whole run
 * @param durationMs how long messages are sent
 * @param convergeTimeoutMs after sending stops, how long every ack and every device may take to catch up
 * @param seed drives every random choice of the run, so a run replays
 */
public record LoadSettings(List<InetSocketAddress> accessNodes, List<Integer> devicesByUser, double messagesPerSecond,
                           long durationMs, long convergeTimeoutMs, long seed) {

    public LoadSettings {
        if (accessNodes.isEmpty()) {
            throw new IllegalArgumentException("at least one access node is needed");
        }
        if (devicesByUser.size() < 2 || devicesByUser.stream().anyMatch(devices -> devices < 1) || messagesPerSecond <= 0 || durationMs < 0
                || convergeTimeoutMs < 1) {
            throw new IllegalArgumentException("need >= 2 users with >= 1 device each, messagesPerSecond > 0, durationMs >= 0, convergeTimeoutMs >= 1; got "
                    + devicesByUser + ", " + messagesPerSecond + ", " + durationMs + ", " + convergeTimeoutMs);
        }
        accessNodes = List.copyOf(accessNodes);
        devicesByUser = List.copyOf(devicesByUser);
    }

    /** Every user with the same number of devices. */
    public static LoadSettings uniform(List<InetSocketAddress> accessNodes, int users, int devicesPerUser, double messagesPerSecond,
                                       long durationMs, long convergeTimeoutMs, long seed) {
        return new LoadSettings(accessNodes, java.util.Collections.nCopies(users, devicesPerUser), messagesPerSecond, durationMs,
                convergeTimeoutMs, seed);
    }

    public int users() {
        return devicesByUser.size();
    }

    public int deviceCount() {
        return devicesByUser.stream().mapToInt(Integer::intValue).sum();
    }
}

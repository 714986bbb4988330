package io.synkit.sim.run;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One load run: who, how fast, how long.
 *
 * @param accessNodes client addresses of the access nodes; devices spread over them
 * @param users simulated users (ids 1..users)
 * @param devicesPerUser devices each user has online at once
 * @param messagesPerSecond open-loop send rate of the whole run
 * @param durationMs how long messages are sent
 * @param convergeTimeoutMs after sending stops, how long every ack and every device may take to catch up
 * @param seed drives every random choice of the run, so a run replays
 */
public record LoadSettings(List<InetSocketAddress> accessNodes, int users, int devicesPerUser, double messagesPerSecond,
                           long durationMs, long convergeTimeoutMs, long seed) {

    public LoadSettings {
        if (accessNodes.isEmpty()) {
            throw new IllegalArgumentException("at least one access node is needed");
        }
        if (users < 2 || devicesPerUser < 1 || messagesPerSecond <= 0 || durationMs < 0 || convergeTimeoutMs < 1) {
            throw new IllegalArgumentException("need users >= 2, devicesPerUser >= 1, messagesPerSecond > 0, durationMs >= 0, convergeTimeoutMs >= 1; got "
                    + users + ", " + devicesPerUser + ", " + messagesPerSecond + ", " + durationMs + ", " + convergeTimeoutMs);
        }
        accessNodes = List.copyOf(accessNodes);
    }

    public int deviceCount() {
        return users * devicesPerUser;
    }
}

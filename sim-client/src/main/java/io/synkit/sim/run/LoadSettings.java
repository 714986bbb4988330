package io.synkit.sim.run;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One load run: who, how fast, how long.
 *
 * @param groups the users, group by group; user ids are 1, 2, … in group order
 * @param messagesPerSecond open-loop send rate of the whole run
 * @param durationMs how long messages are sent
 * @param convergeTimeoutMs after sending stops, how long every ack and every device may take to catch up
 * @param seed drives every random choice of the run, so a run replays
 */
public record LoadSettings(List<UserGroup> groups, double messagesPerSecond, long durationMs, long convergeTimeoutMs, long seed) {

    public LoadSettings {
        groups = List.copyOf(groups);
        int users = groups.stream().mapToInt(UserGroup::users).sum();
        if (users < 2 || messagesPerSecond <= 0 || durationMs < 0 || convergeTimeoutMs < 1) {
            throw new IllegalArgumentException("need >= 2 users, messagesPerSecond > 0, durationMs >= 0, convergeTimeoutMs >= 1; got users=" + users
                    + ", " + messagesPerSecond + ", " + durationMs + ", " + convergeTimeoutMs);
        }
        if (groups.stream().allMatch(group -> group.sendWeight() == 0)) {
            throw new IllegalArgumentException("no group sends: every sendWeight is 0");
        }
    }

    /** User i+1 has {@code devicesByUser.get(i)} devices, all connecting to {@code accessNodes}, all equally chatty. */
    public LoadSettings(List<InetSocketAddress> accessNodes, List<Integer> devicesByUser, double messagesPerSecond, long durationMs,
                        long convergeTimeoutMs, long seed) {
        this(perUser(accessNodes, devicesByUser), messagesPerSecond, durationMs, convergeTimeoutMs, seed);
    }

    private static List<UserGroup> perUser(List<InetSocketAddress> accessNodes, List<Integer> devicesByUser) {
        List<UserGroup> groups = new ArrayList<>();
        for (int i = 0; i < devicesByUser.size(); i++) {
            groups.add(new UserGroup("user" + (i + 1), 1, devicesByUser.get(i), 1.0, accessNodes));
        }
        return groups;
    }

    /** Every user with the same number of devices. */
    public static LoadSettings uniform(List<InetSocketAddress> accessNodes, int users, int devicesPerUser, double messagesPerSecond,
                                       long durationMs, long convergeTimeoutMs, long seed) {
        return new LoadSettings(List.of(new UserGroup("all", users, devicesPerUser, 1.0, accessNodes)), messagesPerSecond, durationMs,
                convergeTimeoutMs, seed);
    }

    public int users() {
        return groups.stream().mapToInt(UserGroup::users).sum();
    }

    public int deviceCount() {
        return groups.stream().mapToInt(group -> group.users() * group.devicesPerUser()).sum();
    }
}

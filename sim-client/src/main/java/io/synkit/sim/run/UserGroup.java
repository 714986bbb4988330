package io.synkit.sim.run;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Users that behave alike: how many, how many devices each keeps online, how chatty they are and
 * which addresses their devices connect to (an access node, or a chaos proxy in front of one that
 * gives the group its network profile).
 *
 * @param name for reports ("chatty-3g", "idle-subway", …)
 * @param sendWeight relative share of the run's messages each device of the group sends
 *                   (chatty 10, mostly idle 1); 0 = only receives
 * @param chatGroupSize group-heavy users: each user creates one group chat of this many members
 *                      (itself and users drawn from the whole run) before sending starts; 0 = none
 * @param chatGroupSendShare group-heavy users: share of their messages sent to a group chat they
 *                           belong to (any member's), the rest 1:1; 0 = none
 */
public record UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access, int chatGroupSize,
                        double chatGroupSendShare) {

    public UserGroup {
        if (users < 1 || devicesPerUser < 1 || sendWeight < 0 || access.isEmpty()) {
            throw new IllegalArgumentException("group " + name + ": users=" + users + " devicesPerUser=" + devicesPerUser + " sendWeight=" + sendWeight
                    + " access=" + access + ": need users >= 1, devicesPerUser >= 1, sendWeight >= 0, an access address");
        }
        if (chatGroupSize < 0 || chatGroupSize == 1 || chatGroupSendShare < 0 || chatGroupSendShare > 1 || (chatGroupSendShare > 0 && chatGroupSize == 0)) {
            throw new IllegalArgumentException("group " + name + ": chatGroupSize=" + chatGroupSize + " chatGroupSendShare=" + chatGroupSendShare
                    + ": need a size of 0 or >= 2, a share in [0, 1], and a size when the share is above 0");
        }
        access = List.copyOf(access);
    }

    /** Users who chat 1:1 only. */
    public UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access) {
        this(name, users, devicesPerUser, sendWeight, access, 0, 0);
    }
}

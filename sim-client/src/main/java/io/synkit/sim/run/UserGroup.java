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
 * @param chatGroupChurnShare group-heavy users: share of their turns to send spent instead on
 *                            changing the members of the group chat they created (remove one, or
 *                            add one back while below {@code chatGroupGrowTo}); 0 = members never change
 * @param readMarkShare share of a device's turns to send after which it also marks its newest
 *                      conversation read up to its newest entry; 0 = never
 * @param chatGroupGrowTo the size up to which churn adds members (at least {@code chatGroupSize}):
 *                        above the size at creation, a group can grow past the logic's
 *                        write-diffusion limit during the run and switch to read diffusion
 */
public record UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access, int chatGroupSize,
                        double chatGroupSendShare, double chatGroupChurnShare, double readMarkShare, int chatGroupGrowTo) {

    public UserGroup {
        if (users < 1 || devicesPerUser < 1 || sendWeight < 0 || access.isEmpty()) {
            throw new IllegalArgumentException("group " + name + ": users=" + users + " devicesPerUser=" + devicesPerUser + " sendWeight=" + sendWeight
                    + " access=" + access + ": need users >= 1, devicesPerUser >= 1, sendWeight >= 0, an access address");
        }
        if (chatGroupSize < 0 || chatGroupSize == 1 || chatGroupSendShare < 0 || chatGroupSendShare > 1 || (chatGroupSendShare > 0 && chatGroupSize == 0)) {
            throw new IllegalArgumentException("group " + name + ": chatGroupSize=" + chatGroupSize + " chatGroupSendShare=" + chatGroupSendShare
                    + ": need a size of 0 or >= 2, a share in [0, 1], and a size when the share is above 0");
        }
        if (chatGroupChurnShare < 0 || chatGroupChurnShare > 1 || (chatGroupChurnShare > 0 && chatGroupSize == 0) || readMarkShare < 0
                || readMarkShare > 1) {
            throw new IllegalArgumentException("group " + name + ": chatGroupChurnShare=" + chatGroupChurnShare + " readMarkShare=" + readMarkShare
                    + ": need shares in [0, 1], and a chat group size for churn");
        }
        if (chatGroupGrowTo < chatGroupSize) {
            throw new IllegalArgumentException("group " + name + ": chatGroupGrowTo=" + chatGroupGrowTo + " chatGroupSize=" + chatGroupSize
                    + ": a group chat grows to at least its size at creation");
        }
        access = List.copyOf(access);
    }

    /** Churn keeps a group chat at most at its size at creation. */
    public UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access, int chatGroupSize,
                     double chatGroupSendShare, double chatGroupChurnShare, double readMarkShare) {
        this(name, users, devicesPerUser, sendWeight, access, chatGroupSize, chatGroupSendShare, chatGroupChurnShare, readMarkShare, chatGroupSize);
    }

    /** Members never change, no read marks. */
    public UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access, int chatGroupSize,
                     double chatGroupSendShare) {
        this(name, users, devicesPerUser, sendWeight, access, chatGroupSize, chatGroupSendShare, 0, 0);
    }

    /** Users who chat 1:1 only. */
    public UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access) {
        this(name, users, devicesPerUser, sendWeight, access, 0, 0, 0, 0);
    }
}

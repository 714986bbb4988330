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
 */
public record UserGroup(String name, int users, int devicesPerUser, double sendWeight, List<InetSocketAddress> access) {

    public UserGroup {
        if (users < 1 || devicesPerUser < 1 || sendWeight < 0 || access.isEmpty()) {
            throw new IllegalArgumentException("group " + name + ": users=" + users + " devicesPerUser=" + devicesPerUser + " sendWeight=" + sendWeight
                    + " access=" + access + ": need users >= 1, devicesPerUser >= 1, sendWeight >= 0, an access address");
        }
        access = List.copyOf(access);
    }
}

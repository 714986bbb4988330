package io.synkit.sim;

import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.rpc.RpcClientPool;
import io.synkit.runtime.Clock;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import io.synkit.sim.run.UserGroup;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sim-client --access=host:port}: drives simulated devices against running access nodes
 * and checks the result. Several processes with disjoint {@code --first-user} ranges can drive
 * one cluster together (beyond one process's open-file limit).
 */
@Command(name = "sim-client", mixinStandardHelpOptions = true, description = "Simulated devices with a correctness checker.")
public final class SimClientMain implements Callable<Integer> {

    @Option(names = "--access", required = true, description = "Access node client addresses, host:port[,host:port...]")
    String access;

    @Option(names = "--users", defaultValue = "50", description = "Simulated users (default ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--devices-per-user", defaultValue = "2", description = "Devices per user (default ${DEFAULT-VALUE})")
    int devicesPerUser;

    @Mixin
    LoadFlags load;

    @Option(names = "--first-user", defaultValue = "1",
            description = "First user id (default ${DEFAULT-VALUE}); give each of several sim-client processes its own range")
    long firstUser;

    @Option(names = "--chat-group-size", defaultValue = "0",
            description = "Group-heavy: each user creates a group chat of this many members (default ${DEFAULT-VALUE}: none)")
    int chatGroupSize;

    @Option(names = "--chat-group-send-share", defaultValue = "0",
            description = "Group-heavy: share of messages sent to group chats, 0..1 (default ${DEFAULT-VALUE})")
    double chatGroupSendShare;

    @Option(names = "--chat-group-churn-share", defaultValue = "0",
            description = "Group creators: share of their turns spent changing their group chat's members, 0..1 (default ${DEFAULT-VALUE})")
    double chatGroupChurnShare;

    @Option(names = "--read-mark-share", defaultValue = "0",
            description = "Share of a device's turns after which it marks its newest conversation read, 0..1 (default ${DEFAULT-VALUE})")
    double readMarkShare;

    @Option(names = "--auth-keys", defaultValue = AuthKeys.DEV_KEYS, description = "Token signing keys kid:secret (default: the dev key)")
    String authKeys;

    @Override
    public Integer call() throws Exception {
        List<InetSocketAddress> nodes = Arrays.stream(access.split(",")).map(String::trim).map(RpcClientPool::parseAddress)
                .map(address -> new InetSocketAddress(address.getHostString(), address.getPort())).toList();
        TokenCodec tokens = new TokenCodec(AuthKeys.parse(authKeys, null), Clock.SYSTEM);
        LoadSettings settings = new LoadSettings(List.of(new UserGroup("all", users, devicesPerUser, 1.0, nodes, chatGroupSize, chatGroupSendShare,
                chatGroupChurnShare, readMarkShare)),
                load.rate(), load.durationMs(), load.convergeTimeoutMs(), load.seed());
        RunReport report = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 24 * 3600_000L), System.out)
                .startingAtUser(firstUser).run();
        return report.passed() ? 0 : 1;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimClientMain()).execute(args));
    }
}

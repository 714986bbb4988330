package io.synkit.ops.token;

import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.runtime.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ops token}: issues a device token (access, or with --refresh a refresh token) signed with the configured keys (the dev key by default). */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Issue a device token.")
public final class TokenCommand implements Callable<Integer> {

    @Option(names = "--user", required = true, description = "User id (> 0)")
    long user;

    @Option(names = "--device", required = true, description = "Device id, 1-64 of [A-Za-z0-9_.-]")
    String device;

    @Option(names = "--ttl-s", defaultValue = "86400", description = "Lifetime in seconds (default ${DEFAULT-VALUE})")
    long ttlS;

    @Option(names = "--auth-keys", defaultValue = AuthKeys.DEV_KEYS, description = "kid:secret[,kid:secret]; the first signs unless --kid")
    String keys;

    @Option(names = "--kid", defaultValue = "", description = "Key id to sign with")
    String kid;

    @Option(names = "--refresh", description = "Issue a refresh token (exchanged at Auth or RefreshRequest for access tokens)")
    boolean refresh;

    @Override
    public Integer call() {
        try {
            TokenCodec tokens = new TokenCodec(AuthKeys.parse(keys, kid), Clock.SYSTEM);
            System.out.println(refresh ? tokens.issueRefresh(user, device, ttlS * 1000) : tokens.issue(user, device, ttlS * 1000));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("token: " + e.getMessage());
            return 2;
        }
    }
}

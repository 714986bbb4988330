package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.EventLoop;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.runtime.Clock;
import io.synkit.sim.client.ClientException;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.SynkitClient;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Clients for end-to-end tests: connected and authenticated with a dev-key token, pushes ignored. */
final class TestClients {

    static final TokenCodec TOKENS = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);

    private TestClients() {
    }

    static SynkitClient authenticated(EventLoop loop, InetSocketAddress access, long user, String device, long requestTimeoutMs) {
        SynkitClient client = new SynkitClient(loop, ClientListener.IGNORING, requestTimeoutMs);
        client.connect(access, null).join();
        client.auth(TOKENS.issue(user, device, 60_000)).join();
        return client;
    }

    /** The error code a call failed with (it must fail). */
    static ErrorCode failureCode(CompletableFuture<?> call) {
        CompletionException failure = assertThrows(CompletionException.class, call::join);
        return ClientException.of(failure).code();
    }
}

package io.synkit.ops.devices;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.EventLoop;
import io.synkit.protocol.client.DeviceInfo;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GoAway;
import io.synkit.protocol.client.Notify;
import io.synkit.sim.client.ClientException;
import io.synkit.sim.client.ClientListener;
import io.synkit.sim.client.SynkitClient;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** One client link of a device test: the GoAway it got and when, and when it closed. */
final class TestDevice implements ClientListener {

    static final long REQUEST_TIMEOUT_MS = 10_000;

    final SynkitClient client;
    /** Completed with the first GoAway; {@link #goAwayAtNs} says when it arrived. */
    final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile long goAwayAtNs;

    private TestDevice(EventLoop loop) {
        this.client = new SynkitClient(loop, this, REQUEST_TIMEOUT_MS);
    }

    /** A link to {@code access}, authenticated with {@code token} as a device of {@code platform}. */
    static TestDevice login(EventLoop loop, InetSocketAddress access, String token, DevicePlatform platform) {
        TestDevice device = connect(loop, access);
        device.client.auth(token, platform).join();
        return device;
    }

    static TestDevice connect(EventLoop loop, InetSocketAddress access) {
        TestDevice device = new TestDevice(loop);
        device.client.connect(access, null).join();
        return device;
    }

    /** The code a login with {@code token} on {@code access} is refused with (it must be refused, and the link closed). */
    static ErrorCode refusal(EventLoop loop, InetSocketAddress access, String token) throws Exception {
        TestDevice device = connect(loop, access);
        ErrorCode code = failureCode(device.client.auth(token, DevicePlatform.DEVICE_PLATFORM_PHONE));
        device.closed.get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return code;
    }

    static ErrorCode failureCode(CompletableFuture<?> call) {
        CompletionException failure = assertThrows(CompletionException.class, call::join);
        return ClientException.of(failure).code();
    }

    /** Whether the device list this device asks for shows its user's device {@code deviceId} online (presence, docs/protocol.md §14). */
    boolean seesOnline(String deviceId) {
        return client.listDevices().join().getDevicesList().stream().filter(d -> d.getDeviceId().equals(deviceId))
                .map(DeviceInfo::getOnline).findFirst().orElseThrow();
    }

    GoAway awaitGoAway() throws Exception {
        return goAway.get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    void awaitClosed() throws Exception {
        closed.get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onNotify(Notify notify) {
    }

    @Override
    public void onGoAway(GoAway received) {
        if (!goAway.isDone()) {
            goAwayAtNs = System.nanoTime();
            goAway.complete(received);
        }
    }

    @Override
    public void onClosed() {
        closed.complete(null);
    }
}

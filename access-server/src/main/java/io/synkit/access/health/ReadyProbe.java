package io.synkit.access.health;

import io.micrometer.core.instrument.Counter;
import io.synkit.access.session.DeviceKey;
import io.synkit.protocol.auth.AuthToken;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.frame.FrameLimits;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * Readiness by a real login. {@link #run()} connects to this node's own client port, authenticates
 * as a reserved probe device with a fresh token and waits for the AuthResponse, then hangs up. That
 * one round trip needs what every new client needs: the accept loop, an event loop, framing, token
 * verification, and a logic node that logs the device in at the store. Its cost is one
 * loopback connection and two writes (the login, then the route's removal) per probe.
 *
 * <p>{@link #run()} blocks for at most the timeout; runs from several threads take turns, so the
 * last to finish is the newest outcome. {@link #failureReason()} may be read from any thread.
 */
public final class ReadyProbe {

    private static final Pattern NOT_IN_DEVICE_ID = Pattern.compile("[^A-Za-z0-9_.-]");

    /** The probe's token outlives any probe by far and is useless soon after. */
    private static final long TOKEN_TTL_MS = 60_000;

    private final InetSocketAddress target;
    private final TokenCodec tokens;
    private final DeviceKey probeDevice;
    private final int timeoutMs;
    private final Counter failures;
    private final Supplier<SSLSocketFactory> tls;
    private long nextRequestId = 1;
    private volatile String failureReason = "no auth probe has completed yet";

    /**
     * @param clientAddress the node's client listener; a wildcard address is probed on loopback
     * @param probeDevice the reserved identity the probe logs in as (a user no real account has)
     */
    /** @param tls sockets for a TLS listener (trusting the certificate it serves), or null for plain TCP */
    public ReadyProbe(InetSocketAddress clientAddress, TokenCodec tokens, DeviceKey probeDevice, int timeoutMs, Counter failures,
                      Supplier<SSLSocketFactory> tls) {
        this.tls = tls;
        this.target = clientAddress.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), clientAddress.getPort()) : clientAddress;
        this.tokens = tokens;
        this.probeDevice = probeDevice;
        this.timeoutMs = timeoutMs;
        this.failures = failures;
    }

    /**
     * The probe device of the node whose push address is {@code accessNode}: {@code prefix-host-port}
     * (the end kept if longer than a device id may be). Each node its own device: probes of several
     * nodes as one device race each other's logins, and a login with a token issued later revokes
     * the earlier ones (the device's tokens are valid from the newest login's), so a node's probe
     * now and then failed with TOKEN_REVOKED and the node looked unready for a probe interval.
     */
    public static String deviceId(String prefix, String accessNode) {
        String id = prefix + "-" + NOT_IN_DEVICE_ID.matcher(accessNode).replaceAll("-");
        return id.length() <= AuthToken.DEVICE_ID_CHARS_MAX ? id : id.substring(id.length() - AuthToken.DEVICE_ID_CHARS_MAX);
    }

    /** One probe; its outcome is what {@link #failureReason()} says until the next. */
    public synchronized void run() {
        String reason;
        try {
            reason = authenticate();
        } catch (IOException | RuntimeException e) {
            reason = e.toString();
        }
        if (reason != null) {
            failures.increment();
            reason = "auth probe failed: " + reason;
        }
        failureReason = reason;
    }

    /** Why the last probe failed, or null when it logged in. */
    public String failureReason() {
        return failureReason;
    }

    private String authenticate() throws IOException {
        long requestId = nextRequestId++;
        ClientFrame auth = ClientFrame.newBuilder().setRequestId(requestId).setAuth(AuthRequest.newBuilder()
                .setToken(tokens.issue(probeDevice.userId(), probeDevice.deviceId(), TOKEN_TTL_MS)).setClientVersion("synkit/ready-probe")).build();
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        try (Socket plain = new Socket()) {
            plain.connect(target, timeoutMs);
            plain.setSoTimeout((int) Math.max(1, (deadlineNs - System.nanoTime()) / 1_000_000));
            Socket socket = tls == null ? plain : tls.get().createSocket(plain, target.getHostString(), target.getPort(), true);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(auth.getSerializedSize());
            auth.writeTo(out);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int frameBytes = in.readInt();
            if (frameBytes < 1 || frameBytes > FrameLimits.CLIENT_FRAME_BYTES_DEFAULT) {
                return "answer frame of " + frameBytes + " bytes";
            }
            byte[] body = new byte[frameBytes];
            in.readFully(body);
            ServerFrame answer = ServerFrame.parseFrom(body);
            if (answer.getRequestId() == requestId && answer.hasAuth()) {
                return null;
            }
            return answer.hasError() ? answer.getError().getCode() + " " + answer.getError().getMessage() : "answered " + answer.getBodyCase();
        }
    }
}

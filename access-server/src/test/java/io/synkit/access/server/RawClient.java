package io.synkit.access.server;

import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.runtime.Clock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A client over a plain blocking socket: frames written and read byte by byte as the protocol says. */
final class RawClient implements AutoCloseable {

    static final TokenCodec TOKENS = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);

    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;

    RawClient(InetSocketAddress server, int readTimeoutMs) throws IOException {
        this(server, readTimeoutMs, 0);
    }

    /** @param receiveBufferBytes the socket's receive buffer (0 = the system's): small for a client that is slow to read */
    RawClient(InetSocketAddress server, int readTimeoutMs, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(server);
        socket.setSoTimeout(readTimeoutMs);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    void write(ClientFrame frame) throws IOException {
        out.writeInt(frame.getSerializedSize());
        frame.writeTo(out);
        out.flush();
    }

    ServerFrame read() throws IOException {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return ServerFrame.parseFrom(body);
    }

    /** True when the server has closed the connection (nothing more to read). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException e) {
            return true;
        }
    }

    ServerFrame login(long user, String device) throws IOException {
        write(ClientFrame.newBuilder().setRequestId(1).setAuth(AuthRequest.newBuilder().setToken(TOKENS.issue(user, device, 60_000))).build());
        return read();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package io.synkit.sim.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.synkit.protocol.client.AuthRequest;
import io.synkit.protocol.client.AuthResponse;
import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.ConversationList;
import io.synkit.protocol.client.ConversationListRequest;
import io.synkit.protocol.client.GroupChanged;
import io.synkit.protocol.client.HistoryRequest;
import io.synkit.protocol.client.HistoryResponse;
import io.synkit.protocol.client.MarkReadRequest;
import io.synkit.protocol.client.ReadMarked;
import io.synkit.protocol.client.CreateGroupRequest;
import io.synkit.protocol.client.DeviceList;
import io.synkit.protocol.client.DevicePlatform;
import io.synkit.protocol.client.ListDevicesRequest;
import io.synkit.protocol.client.LogoutRequest;
import io.synkit.protocol.client.LogoutResponse;
import io.synkit.protocol.client.RefreshRequest;
import io.synkit.protocol.client.RefreshResponse;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.client.HeartbeatRequest;
import io.synkit.protocol.client.HeartbeatResponse;
import io.synkit.protocol.client.SendAck;
import io.synkit.protocol.client.SendRequest;
import io.synkit.protocol.client.ServerFrame;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.client.SyncRequest;
import io.synkit.protocol.client.SyncResponse;
import io.synkit.protocol.frame.FrameDecoder;
import io.synkit.protocol.frame.FrameEncoder;
import io.synkit.protocol.frame.FrameLimits;
import io.synkit.protocol.frame.ProtoDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.ssl.SslHandler;
import io.synkit.protocol.frame.WebSocketFrames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The reference client: one link to an access node, on one event loop. Requests get ids from 1
 * up, each with a timeout; responses complete them; pushes go to the {@link ClientListener}. All
 * callbacks and completions run on the client's event loop, so a user of this class that also
 * stays on that loop needs no locks.
 */
public final class SynkitClient {

    /** The client protocol version this client implements, told to the server at Auth. */
    public static final int PROTOCOL_VERSION = 1;
    private static final int HTTP_BODY_BYTES_MAX = 8192;
    private static final WebSocketFrames WEB_SOCKET_FRAMES = new WebSocketFrames();

    private final EventLoop loop;
    private final ClientListener listener;
    private final long requestTimeoutMs;
    private final LinkTransport transport;
    /** Completed once frames can flow: at connect for TCP, after the TLS and WebSocket handshakes otherwise. */
    private CompletableFuture<Void> ready;
    private final Map<Long, CompletableFuture<ServerFrame>> pending = new HashMap<>();
    private long nextRequestId = 1;
    private Channel channel;
    /**
     * The fatal error the server pushed (request id 0) before it closed this link, or null: why the
     * link closed. A refusal at connect names its {@code retry_after_ms} only there.
     */
    private io.synkit.protocol.client.Error closedBy;

    public SynkitClient(EventLoop loop, ClientListener listener, long requestTimeoutMs) {
        this(loop, listener, requestTimeoutMs, LinkTransport.TCP);
    }

    public SynkitClient(EventLoop loop, ClientListener listener, long requestTimeoutMs, LinkTransport transport) {
        this.loop = loop;
        this.listener = listener;
        this.requestTimeoutMs = requestTimeoutMs;
        this.transport = transport;
    }

    public EventLoop loop() {
        return loop;
    }

    /** Connects (optionally from a given local address, to spread source IPs) on the client's loop; done once frames can flow. */
    public CompletableFuture<Void> connect(InetSocketAddress server, SocketAddress localAddress) {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        ready = connected;
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                // A write that fails (the server reset a link it refused) must not close the link before
                // the frames already received are read: the refusal and its retry_after_ms are among them.
                .option(ChannelOption.AUTO_CLOSE, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        FrameLimits limits = FrameLimits.client();
                        if (transport.tls() != null) {
                            SslHandler tls = transport.tls().newHandler(ch.alloc(), server.getHostString(), server.getPort());
                            ch.pipeline().addLast(tls);
                            if (transport.webSocketPath() == null) {
                                tls.handshakeFuture().addListener(done -> handshaken(connected, done.cause()));
                            }
                        }
                        if (transport.webSocketPath() != null) {
                            URI uri = URI.create((transport.tls() == null ? "ws" : "wss") + "://" + server.getHostString() + ":" + server.getPort()
                                    + transport.webSocketPath());
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(HTTP_BODY_BYTES_MAX),
                                    new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri)
                                            .maxFramePayloadLength(limits.frameBytesMax() + FrameLimits.LENGTH_PREFIX_BYTES).build()),
                                    WEB_SOCKET_FRAMES);
                        }
                        ch.pipeline().addLast(new FrameDecoder(limits), new ProtoDecoder<>(ServerFrame.parser()),
                                new FrameEncoder(limits), new Responses());
                    }
                });
        (localAddress == null ? bootstrap.connect(server) : bootstrap.connect(server, localAddress)).addListener(done -> {
            if (done.isSuccess()) {
                if (transport.tls() == null && transport.webSocketPath() == null) {
                    connected.complete(null);
                }
            } else {
                connected.completeExceptionally(new ClientException(ErrorCode.UNAVAILABLE, "connect to " + server + " failed: " + done.cause(), 0));
            }
        });
        return connected;
    }

    private static void handshaken(CompletableFuture<Void> connected, Throwable failure) {
        if (failure == null) {
            connected.complete(null);
        } else {
            connected.completeExceptionally(new ClientException(ErrorCode.UNAVAILABLE, "handshake failed: " + failure, 0));
        }
    }

    public boolean isConnected() {
        return channel != null && channel.isActive();
    }

    public void close() {
        if (channel != null) {
            channel.close();
        }
    }

    public CompletableFuture<AuthResponse> auth(String token) {
        return auth(token, DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED);
    }

    /** Auth naming the device's platform class (the login policy counts sessions per class). */
    public CompletableFuture<AuthResponse> auth(String token, DevicePlatform platform) {
        return auth(token, platform, false);
    }

    /** Auth saying whether another node redirected the client here (GoAway REDIRECTED): then it is served, not redirected again. */
    public CompletableFuture<AuthResponse> auth(String token, DevicePlatform platform, boolean redirected) {
        return request(ClientFrame.newBuilder().setAuth(AuthRequest.newBuilder().setToken(token).setClientVersion("synkit-sim/1")
                .setPlatform(platform).setProtocolVersion(PROTOCOL_VERSION).setRedirected(redirected))).thenApply(ServerFrame::getAuth);
    }

    /** Auth with a refresh token: the answer carries an access token for this login and the refresh token signed again. */
    public CompletableFuture<AuthResponse> authWithRefreshToken(String refreshToken, DevicePlatform platform) {
        return request(ClientFrame.newBuilder().setAuth(AuthRequest.newBuilder().setRefreshToken(refreshToken).setClientVersion("synkit-sim/1")
                .setPlatform(platform).setProtocolVersion(PROTOCOL_VERSION))).thenApply(ServerFrame::getAuth);
    }

    /** A new access token for this link's device; the link then lives until it expires. */
    public CompletableFuture<RefreshResponse> refresh(String refreshToken) {
        return request(ClientFrame.newBuilder().setRefresh(RefreshRequest.newBuilder().setRefreshToken(refreshToken))).thenApply(ServerFrame::getRefresh);
    }

    public CompletableFuture<DeviceList> listDevices() {
        return request(ClientFrame.newBuilder().setListDevices(ListDevicesRequest.getDefaultInstance())).thenApply(ServerFrame::getDevices);
    }

    public CompletableFuture<LogoutResponse> logout(LogoutRequest logout) {
        return request(ClientFrame.newBuilder().setLogout(logout)).thenApply(ServerFrame::getLogout);
    }

    public CompletableFuture<SendAck> send(SendRequest send) {
        return request(ClientFrame.newBuilder().setSend(send)).thenApply(ServerFrame::getSendAck);
    }

    public CompletableFuture<GroupCreated> createGroup(CreateGroupRequest create) {
        return request(ClientFrame.newBuilder().setCreateGroup(create)).thenApply(ServerFrame::getGroupCreated);
    }

    public CompletableFuture<GroupChanged> changeGroup(ChangeGroupRequest change) {
        return request(ClientFrame.newBuilder().setChangeGroup(change)).thenApply(ServerFrame::getGroupChanged);
    }

    public CompletableFuture<HistoryResponse> history(HistoryRequest history) {
        return request(ClientFrame.newBuilder().setHistory(history)).thenApply(ServerFrame::getHistory);
    }

    public CompletableFuture<ReadMarked> markRead(String convId, long readUpToConvSeq) {
        return request(ClientFrame.newBuilder().setMarkRead(MarkReadRequest.newBuilder().setConvId(convId).setReadUpToConvSeq(readUpToConvSeq)))
                .thenApply(ServerFrame::getReadMarked);
    }

    public CompletableFuture<ConversationList> conversationList(long beforeSeq, int limit) {
        return request(ClientFrame.newBuilder().setConversationList(ConversationListRequest.newBuilder().setBeforeSeq(beforeSeq).setLimit(limit)))
                .thenApply(ServerFrame::getConversationList);
    }

    public CompletableFuture<SyncResponse> sync(SyncKey key, int limit) {
        return request(ClientFrame.newBuilder().setSync(SyncRequest.newBuilder().setKey(key).setLimit(limit))).thenApply(ServerFrame::getSync);
    }

    public CompletableFuture<HeartbeatResponse> heartbeat() {
        return request(ClientFrame.newBuilder().setHeartbeat(HeartbeatRequest.getDefaultInstance())).thenApply(ServerFrame::getHeartbeat);
    }

    /** A heartbeat telling the server the interval this client heartbeats at now (adaptive heartbeats). */
    public CompletableFuture<HeartbeatResponse> heartbeat(int intervalMs) {
        return request(ClientFrame.newBuilder().setHeartbeat(HeartbeatRequest.newBuilder().setIntervalMs(intervalMs))).thenApply(ServerFrame::getHeartbeat);
    }

    private CompletableFuture<ServerFrame> request(ClientFrame.Builder frame) {
        CompletableFuture<ServerFrame> response = new CompletableFuture<>();
        loop.execute(() -> {
            if (!isConnected()) {
                response.completeExceptionally(closed("not connected"));
                return;
            }
            long requestId = nextRequestId++;
            pending.put(requestId, response);
            channel.writeAndFlush(frame.setRequestId(requestId).build());
            loop.schedule(() -> {
                CompletableFuture<ServerFrame> late = pending.remove(requestId);
                if (late != null) {
                    late.completeExceptionally(new ClientException(ErrorCode.TIMEOUT, "no response within " + requestTimeoutMs + " ms", 0));
                }
            }, requestTimeoutMs, TimeUnit.MILLISECONDS);
        });
        return response;
    }

    /**
     * A request that could not be answered because the link closed: UNAVAILABLE (it may have taken
     * effect), with the retry-after and the reason of the fatal error the server pushed before it
     * closed, if it did (e.g. a refusal at connect: UNAVAILABLE, retry after 1-2 s).
     */
    private ClientException closed(String what) {
        if (closedBy == null) {
            return new ClientException(ErrorCode.UNAVAILABLE, what, 0);
        }
        return new ClientException(ErrorCode.UNAVAILABLE, what + " by the server: " + closedBy.getCode() + " " + closedBy.getMessage(),
                closedBy.getRetryAfterMs());
    }

    private final class Responses extends SimpleChannelInboundHandler<ServerFrame> {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ServerFrame frame) {
            if (frame.getRequestId() == 0) {
                switch (frame.getBodyCase()) {
                    case NOTIFY -> listener.onNotify(frame.getNotify());
                    case GO_AWAY -> listener.onGoAway(frame.getGoAway());
                    case ERROR -> {
                        // A fatal error push precedes the server's close: the requests then failed carry its retry_after_ms.
                        if (frame.getError().getFatal()) {
                            closedBy = frame.getError();
                        }
                    }
                    default -> { }
                }
                return;
            }
            CompletableFuture<ServerFrame> response = pending.remove(frame.getRequestId());
            if (response == null) {
                return;
            }
            if (frame.hasError()) {
                response.completeExceptionally(new ClientException(frame.getError().getCode(), frame.getError().getMessage(), frame.getError().getRetryAfterMs()));
            } else {
                response.complete(frame);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                handshaken(ready, null);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                handshaken(ready, new IllegalStateException("WebSocket handshake timed out"));
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // A refusal at connect can close the link before its connect is reported: the failure carries the refusal's retry-after.
            ready.completeExceptionally(closed("closed before the link was ready"));
            for (CompletableFuture<ServerFrame> response : pending.values()) {
                response.completeExceptionally(closed("link closed"));
            }
            pending.clear();
            listener.onClosed();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshaken(ready, cause);
            ctx.close();
        }
    }
}

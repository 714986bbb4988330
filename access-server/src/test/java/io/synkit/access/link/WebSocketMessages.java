package io.synkit.access.link;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** What a WebSocket client writes, byte for byte (RFC 6455): its upgrade request and its masked binary messages. */
public final class WebSocketMessages {

    private static final int LENGTH_7_BIT_MAX = 125;
    private static final int LENGTH_16_BIT_MAX = 0xffff;

    private WebSocketMessages() {
    }

    /** The upgrade request for {@code path} on {@code host}, as a browser sends it. */
    public static byte[] upgradeRequest(String host, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** One binary message (FIN, opcode 2) carrying {@code payload}, masked with {@code maskKey} as a client must. */
    public static byte[] binary(byte[] payload, int maskKey) {
        ByteArrayOutputStream message = new ByteArrayOutputStream(payload.length + 14);
        message.write(0x82);
        if (payload.length <= LENGTH_7_BIT_MAX) {
            message.write(0x80 | payload.length);
        } else if (payload.length <= LENGTH_16_BIT_MAX) {
            message.write(0x80 | 126);
            message.write(payload.length >>> 8);
            message.write(payload.length);
        } else {
            message.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                message.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        message.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            message.write(payload[i] ^ mask[i % 4]);
        }
        return message.toByteArray();
    }
}

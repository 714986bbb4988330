package io.synkit.protocol.frame;

import io.netty.handler.codec.DecoderException;
import io.synkit.protocol.client.ErrorCode;

/** A frame that cannot be accepted; carries the protocol error code the peer is told. */
public final class FrameException extends DecoderException {

    private final ErrorCode code;

    public FrameException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public FrameException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

package io.synkit.protocol.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.synkit.protocol.client.ErrorCode;

/** Parsing a service's request from an RPC payload, with the error every service gives for a bad one. */
public final class RpcPayloads {

    private RpcPayloads() {
    }

    /** @throws RpcException INVALID_REQUEST naming {@code what} when the payload does not parse */
    public static <T> T parse(Parser<T> parser, ByteString payload, String what) {
        try {
            // Bytes fields share the payload's array instead of each taking a copy (a message body,
            // a replication batch): an RPC payload is an immutable copy out of its frame, never reused.
            CodedInputStream in = payload.newCodedInput();
            in.enableAliasing(true);
            return parser.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, what + " does not parse: " + e.getMessage());
        }
    }
}

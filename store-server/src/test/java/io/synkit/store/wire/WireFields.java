package io.synkit.store.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Protobuf fields encoded by hand, as a build with a newer schema would write them: the mixed
 * version tests append such fields to today's messages (protobuf parses concatenated encodings as
 * one message) to show what today's code does with what it has no name for.
 */
public final class WireFields {

    private WireFields() {
    }

    /** A length-delimited field: {@code bytes} under field {@code number}. */
    public static byte[] bytesField(int number, ByteString bytes) {
        return encoded(out -> out.writeBytes(number, bytes));
    }

    /** A varint field: {@code value} under field {@code number}. */
    public static byte[] varintField(int number, long value) {
        return encoded(out -> out.writeUInt64(number, value));
    }

    public static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private interface Writes {
        void to(CodedOutputStream out) throws IOException;
    }

    private static byte[] encoded(Writes writes) {
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(encoded);
            writes.to(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return encoded.toByteArray();
    }
}

package io.synkit.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synkit.protocol.auth.AuthException;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.ClientFrame;
import io.synkit.protocol.client.SyncKey;
import io.synkit.protocol.conv.ClientMsgId;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.protocol.sync.ConvPositions;
import io.synkit.protocol.sync.SyncKeyException;
import io.synkit.protocol.sync.SyncPosition;
import io.synkit.protocol.user.DecimalIds;
import io.synkit.runtime.Clock;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzz targets (Jazzer) for every parser of what a client sends: the frame
 * message, its sync key (inbox position and large-group positions), access and refresh tokens,
 * conversation ids, client message ids and decimal ids. Each parser may refuse its input only
 * with its own typed exception; anything else escaping is a finding.
 *
 * <p>A normal build replays the inputs under {@code src/test/resources/.../ClientParsersJazzerTestInputs/<method>/}
 * (seeds and every finding so far), in milliseconds. To fuzz one target for a bounded time
 * (docs/architecture.md, testing):
 * {@code JAZZER_FUZZ=1 mvn -o -q -pl protocol test -Dtest=ClientParsersJazzerTest#token -Djazzer.max_duration=2m};
 * new findings are written into that inputs directory, where they stay as regression inputs.
 * Text parsers get the input's bytes as UTF-8 (invalid sequences become U+FFFD, as a protobuf
 * string field would).
 */
class ClientParsersJazzerTest {

    private static final TokenCodec TOKENS = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);

    @FuzzTest
    void clientFrame(byte[] input) throws Exception {
        refusedOnlyWith(InvalidProtocolBufferException.class, () -> ClientFrame.parseFrom(input));
    }

    @FuzzTest
    void syncKey(byte[] input) throws Exception {
        SyncKey key;
        try {
            key = SyncKey.parseFrom(input);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        // The inbox position and the large-group positions are read independently of each other.
        refusedOnlyWith(SyncKeyException.class, () -> SyncPosition.fromKey(key));
        refusedOnlyWith(SyncKeyException.class, () -> ConvPositions.fromKey(key));
    }

    @FuzzTest
    void token(byte[] input) throws Exception {
        refusedOnlyWith(AuthException.class, () -> TOKENS.verify(text(input)));
    }

    @FuzzTest
    void refreshToken(byte[] input) throws Exception {
        refusedOnlyWith(AuthException.class, () -> TOKENS.verifyRefresh(text(input)));
    }

    @FuzzTest
    void conversationId(byte[] input) throws Exception {
        refusedOnlyWith(IllegalArgumentException.class, () -> ConversationId.parse(text(input)));
    }

    @FuzzTest
    void clientMsgId(byte[] input) throws Exception {
        refusedOnlyWith(IllegalArgumentException.class, () -> ClientMsgId.check(text(input)));
    }

    @FuzzTest
    void decimalId(byte[] input) throws Exception {
        refusedOnlyWith(IllegalArgumentException.class, () -> DecimalIds.parsePositive(text(input), "fuzz"));
    }

    @FunctionalInterface
    private interface Parse {
        void run() throws Exception;
    }

    /** Runs the parser; its own refusal is an answer, any other exception escapes as a finding. */
    private static void refusedOnlyWith(Class<? extends Exception> refusal, Parse parse) throws Exception {
        try {
            parse.run();
        } catch (Exception e) {
            if (!refusal.isInstance(e)) {
                throw e;
            }
        }
    }

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }
}

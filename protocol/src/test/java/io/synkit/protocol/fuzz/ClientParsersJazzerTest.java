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
    void clientFrame(byte[] input) {
        try {
            ClientFrame.parseFrom(input);
        } catch (InvalidProtocolBufferException refused) {
            // the parser's own refusal
        }
    }

    @FuzzTest
    void syncKey(byte[] input) {
        SyncKey key;
        try {
            key = SyncKey.parseFrom(input);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        try {
            SyncPosition.fromKey(key);
        } catch (SyncKeyException refused) {
            // the inbox position's own refusal; the large-group positions are read independently
        }
        try {
            ConvPositions.fromKey(key);
        } catch (SyncKeyException refused) {
            // the large-group positions' own refusal
        }
    }

    @FuzzTest
    void token(byte[] input) {
        try {
            TOKENS.verify(text(input));
        } catch (AuthException refused) {
            // the codec's own refusal
        }
    }

    @FuzzTest
    void refreshToken(byte[] input) {
        try {
            TOKENS.verifyRefresh(text(input));
        } catch (AuthException refused) {
            // the codec's own refusal
        }
    }

    @FuzzTest
    void conversationId(byte[] input) {
        try {
            ConversationId.parse(text(input));
        } catch (IllegalArgumentException refused) {
            // the parser's own refusal
        }
    }

    @FuzzTest
    void clientMsgId(byte[] input) {
        try {
            ClientMsgId.check(text(input));
        } catch (IllegalArgumentException refused) {
            // the check's own refusal
        }
    }

    @FuzzTest
    void decimalId(byte[] input) {
        try {
            DecimalIds.parsePositive(text(input), "fuzz");
        } catch (IllegalArgumentException refused) {
            // the parser's own refusal
        }
    }

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }
}

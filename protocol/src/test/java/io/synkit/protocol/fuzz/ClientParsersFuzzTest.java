package io.synkit.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random input for every parser of what a client sends: the frame message and its sync key (inbox
 * and large-group positions), the token, conversation ids, client message ids and decimal ids. Each must fail only with its own
 * typed exception, never anything else. Bounded for CI ({@code -Dsynkit.fuzz.iterations}, default
 * 20,000 per parser, a second or two); the seed is printed and replays the run
 * ({@code -Dsynkit.test.seed}).
 */
class ClientParsersFuzzTest {

    private static final long SEED = Long.getLong("synkit.test.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("synkit.fuzz.iterations", 20_000);
    /** Characters the text parsers see most: their grammar's, the separators, and some that are not. */
    private static final String ALPHABET = "dg:0123456789-_.|=+/ abcxyzABC\u00e9\u0000\uffff\ud83d\ude00";

    private final TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);

    @Test
    void randomBytesAndTextFailEveryClientParserOnlyWithItsOwnException() {
        System.out.println("ClientParsersFuzzTest seed=" + SEED + " iterations=" + ITERATIONS + " (replay: -Dsynkit.test.seed=" + SEED + ")");
        Random random = new Random(SEED);
        String validToken = tokens.issue(42, "phone-1", 60_000);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            String text = random.nextBoolean() ? text(random) : new String(bytes, StandardCharsets.UTF_8);
            String mutatedToken = mutate(random, validToken);
            run(i, "ClientFrame", () -> ClientFrame.parseFrom(bytes));
            run(i, "SyncKey", () -> SyncPosition.fromKey(SyncKey.parseFrom(bytes)));
            run(i, "SyncKey large-group positions", () -> ConvPositions.fromKey(SyncKey.parseFrom(bytes)));
            run(i, "token", () -> tokens.verify(random.nextBoolean() ? text : mutatedToken));
            run(i, "refresh token", () -> tokens.verifyRefresh(random.nextBoolean() ? text : mutatedToken));
            run(i, "conversation id", () -> ConversationId.parse(text));
            run(i, "client_msg_id", () -> ClientMsgId.check(text));
            run(i, "decimal id", () -> DecimalIds.parsePositive(text, "fuzz"));
        }
    }

    @FunctionalInterface
    private interface Parse {
        void run() throws Exception;
    }

    private static void run(int iteration, String parser, Parse parse) {
        try {
            parse.run();
        } catch (InvalidProtocolBufferException | SyncKeyException | AuthException | IllegalArgumentException expected) {
            // the parser's own refusal
        } catch (Exception | Error e) {
            fail(parser + " threw " + e + " at iteration " + iteration + " (seed=" + SEED + ")", e);
        }
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(40); n > 0; n--) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static String mutate(Random random, String token) {
        StringBuilder mutated = new StringBuilder(token);
        for (int edits = 1 + random.nextInt(3); edits > 0 && mutated.length() > 0; edits--) {
            int at = random.nextInt(mutated.length());
            switch (random.nextInt(3)) {
                case 0 -> mutated.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> mutated.deleteCharAt(at);
                default -> mutated.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return mutated.toString();
    }
}

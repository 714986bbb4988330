package io.synkit.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.protocol.client.ErrorCode;
import io.synkit.runtime.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TokenCodecTest {

    private static final String OLD_SECRET = "old-secret-0123456789-0123456789-abcdef";
    private static final String NEW_SECRET = "new-secret-9876543210-9876543210-fedcba";
    private static final long TTL_MS = 60_000;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);

    private TokenCodec codec(String spec, String signingKeyId) {
        return new TokenCodec(AuthKeys.parse(spec, signingKeyId), clock);
    }

    private TokenCodec oldKeyOnly() {
        return codec("old:" + OLD_SECRET, null);
    }

    private static String[] parts(String token) {
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length, token);
        return parts;
    }

    @Test
    void issuedTokenVerifiesToTheSameDeviceAndExpiry() throws AuthException {
        TokenCodec codec = oldKeyOnly();
        long issuedAtMs = clock.nowMs();

        AuthToken token = codec.verify(codec.issue(42, "phone-1", TTL_MS));

        assertEquals(new AuthToken(42, "phone-1", issuedAtMs, issuedAtMs + TTL_MS), token);
    }

    @Test
    void aTokenOfFormatV1VerifiesWithIssueTimeZero() throws Exception {
        long expiresAtMs = clock.nowMs() + TTL_MS;

        assertEquals(new AuthToken(7, "phone-1", 0, expiresAtMs), oldKeyOnly().verify(signedByOldKey("v1|7|phone-1|" + expiresAtMs)));
    }

    @Test
    void anAccessTokenMintedFromARefreshTokenKeepsItsLoginTimeAndEndsWithIt() throws AuthException {
        TokenCodec codec = oldKeyOnly();
        long loginMs = clock.nowMs();
        AuthToken refresh = codec.verifyRefresh(codec.issueRefresh(42, "phone-1", 10 * TTL_MS));
        clock.advanceMs(9 * TTL_MS);

        AuthToken access = codec.verify(codec.signAccess(codec.access(refresh, 5 * TTL_MS)));

        assertEquals(new AuthToken(42, "phone-1", loginMs, loginMs + 10 * TTL_MS), access);
    }

    @Test
    void neitherKindOfTokenIsAcceptedAsTheOther() {
        TokenCodec codec = oldKeyOnly();
        String access = codec.issue(42, "phone-1", TTL_MS);
        String refresh = codec.issueRefresh(42, "phone-1", TTL_MS);

        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(AuthException.class, () -> codec.verify(refresh)).code());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(AuthException.class, () -> codec.verifyRefresh(access)).code());
    }

    @Test
    void aRefreshTokenSignedAgainWithTheNewKeyOutlivesTheOldKey() throws AuthException {
        String oldRefresh = oldKeyOnly().issueRefresh(42, "phone-1", TTL_MS);
        TokenCodec rotating = codec("old:" + OLD_SECRET + ",new:" + NEW_SECRET, "new");

        String resigned = rotating.signRefresh(rotating.verifyRefresh(oldRefresh));

        TokenCodec newOnly = codec("new:" + NEW_SECRET, null);
        assertEquals(ErrorCode.TOKEN_KEY_UNKNOWN, assertThrows(AuthException.class, () -> newOnly.verifyRefresh(oldRefresh)).code());
        assertEquals(oldKeyOnly().verifyRefresh(oldRefresh), newOnly.verifyRefresh(resigned));
    }

    @Test
    void eachRefusalCarriesItsOwnCode() throws Exception {
        TokenCodec codec = oldKeyOnly();
        String valid = codec.issue(42, "phone-1", TTL_MS);
        String unknownKey = codec("other:" + OLD_SECRET, null).issue(42, "phone-1", TTL_MS);
        String forged = codec("old:" + NEW_SECRET, null).issue(42, "phone-1", TTL_MS);
        String malformed = signedByOldKey("v2|42|phone-1|" + clock.nowMs());

        assertEquals(ErrorCode.TOKEN_KEY_UNKNOWN, assertThrows(AuthException.class, () -> codec.verify(unknownKey)).code());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(AuthException.class, () -> codec.verify(forged)).code());
        assertEquals(ErrorCode.AUTH_FAILED, assertThrows(AuthException.class, () -> codec.verify(malformed)).code());
        clock.advanceMs(TTL_MS);
        assertEquals(ErrorCode.TOKEN_EXPIRED, assertThrows(AuthException.class, () -> codec.verify(valid)).code());
    }

    @Test
    void tokenIsRefusedFromItsExpiryOn() throws AuthException {
        TokenCodec codec = oldKeyOnly();
        String token = codec.issue(42, "phone-1", TTL_MS);

        clock.advanceMs(TTL_MS - 1);
        assertEquals(42, codec.verify(token).userId());

        clock.advanceMs(1);
        AuthException failure = assertThrows(AuthException.class, () -> codec.verify(token));
        assertTrue(failure.getMessage().contains("expired"), failure.getMessage());
    }

    @Test
    void payloadNamingAnotherUserIsRefused() throws AuthException {
        TokenCodec codec = oldKeyOnly();
        String[] parts = parts(codec.issue(42, "phone-1", TTL_MS));
        String decoded = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forgedPayload = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(decoded.replace("|42|", "|43|").getBytes(StandardCharsets.UTF_8));
        String forged = parts[0] + "." + forgedPayload + "." + parts[2];

        AuthException failure = assertThrows(AuthException.class, () -> codec.verify(forged));
        assertTrue(failure.getMessage().contains("signature"), failure.getMessage());
    }

    @Test
    void payloadWithLaterExpiryIsRefused() {
        TokenCodec codec = oldKeyOnly();
        String[] parts = parts(codec.issue(42, "phone-1", TTL_MS));
        String decoded = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String extended = decoded.substring(0, decoded.lastIndexOf('|') + 1) + Long.MAX_VALUE;
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(extended.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];

        assertThrows(AuthException.class, () -> codec.verify(forged));
    }

    @Test
    void alteredSignatureIsRefused() {
        TokenCodec codec = oldKeyOnly();
        String token = codec.issue(42, "phone-1", TTL_MS);
        int signatureStart = token.lastIndexOf('.') + 1;
        char first = token.charAt(signatureStart);
        String altered = token.substring(0, signatureStart) + (first == 'A' ? 'B' : 'A') + token.substring(signatureStart + 1);

        assertThrows(AuthException.class, () -> codec.verify(altered));
        assertThrows(AuthException.class, () -> codec.verify(token.substring(0, token.length() - 4)));
    }

    @Test
    void tokenSignedWithAnotherSecretUnderTheSameKidIsRefused() {
        String token = codec("old:" + NEW_SECRET, null).issue(42, "phone-1", TTL_MS);

        assertThrows(AuthException.class, () -> oldKeyOnly().verify(token));
    }

    @Test
    void tokenWithAnUnknownKeyIdIsRefused() {
        String token = codec("other:" + OLD_SECRET, null).issue(42, "phone-1", TTL_MS);

        AuthException failure = assertThrows(AuthException.class, () -> oldKeyOnly().verify(token));
        assertTrue(failure.getMessage().contains("key id"), failure.getMessage());
    }

    @Test
    void keyRotationKeepsOldTokensValidUntilTheOldKeyIsDropped() throws AuthException {
        String oldToken = oldKeyOnly().issue(42, "phone-1", TTL_MS);
        assertTrue(oldToken.startsWith("old."), oldToken);

        TokenCodec rotating = codec("old:" + OLD_SECRET + ",new:" + NEW_SECRET, "new");
        String newToken = rotating.issue(43, "tablet", TTL_MS);
        assertTrue(newToken.startsWith("new."), newToken);
        assertEquals(42, rotating.verify(oldToken).userId());
        assertEquals(43, rotating.verify(newToken).userId());

        TokenCodec rotated = codec("new:" + NEW_SECRET, null);
        assertThrows(AuthException.class, () -> rotated.verify(oldToken));
        assertEquals(43, rotated.verify(newToken).userId());
    }

    @Test
    void malformedTokensAreRefusedWithAuthException() {
        TokenCodec codec = oldKeyOnly();
        String valid = codec.issue(42, "phone-1", TTL_MS);

        for (String token : new String[] {"", ".", "..", "old", "old.", "old.payload", ".payload.sig", "old..sig", "old.!!!.sig",
                valid + ".extra", valid.substring(0, valid.lastIndexOf('.') + 1) + "%%%", "x".repeat(TokenCodec.TOKEN_CHARS_MAX + 1)}) {
            assertThrows(AuthException.class, () -> codec.verify(token), token);
        }
    }

    @Test
    void mutatedTokensNeverFailWithAnythingButAuthException() {
        long seed = Long.getLong("synkit.test.seed", System.nanoTime());
        System.out.println("mutatedTokensNeverFailWithAnythingButAuthException seed=" + seed + " (replay: -Dsynkit.test.seed=" + seed + ")");
        Random random = new Random(seed);
        TokenCodec codec = oldKeyOnly();
        String valid = codec.issue(42, "phone-1", TTL_MS);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.|=+/ \u00e9";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder token = new StringBuilder(valid);
            for (int edits = 1 + random.nextInt(3); edits > 0 && token.length() > 0; edits--) {
                int at = random.nextInt(token.length());
                switch (random.nextInt(3)) {
                    case 0 -> token.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> token.deleteCharAt(at);
                    default -> token.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            try {
                AuthToken verified = codec.verify(token.toString());
                // Only the signature's unused trailing base64 bits can change without failing.
                assertEquals(new AuthToken(42, "phone-1", clock.nowMs(), clock.nowMs() + TTL_MS), verified, "seed=" + seed + " token=" + token);
            } catch (AuthException expected) {
                assertFalse(expected.getMessage().contains(OLD_SECRET), "seed=" + seed);
            }
        }
    }

    @Test
    void signedPayloadWithANonCanonicalNumberIsRefused() throws Exception {
        long expiresAtMs = clock.nowMs() + TTL_MS;
        assertEquals(7, oldKeyOnly().verify(signedByOldKey("v1|7|phone-1|" + expiresAtMs)).userId());

        for (String userId : new String[] {"007", "+7", " 7", "7 ", "-7", "0", "9223372036854775808"}) {
            String token = signedByOldKey("v1|" + userId + "|phone-1|" + expiresAtMs);
            AuthException failure = assertThrows(AuthException.class, () -> oldKeyOnly().verify(token), userId);
            assertTrue(failure.getMessage().contains("user id"), failure.getMessage());
        }
        String leadingZeroExpiry = signedByOldKey("v1|7|phone-1|0" + expiresAtMs);
        assertThrows(AuthException.class, () -> oldKeyOnly().verify(leadingZeroExpiry));
    }

    /** A token over any payload, signed with the old key as the token service would. */
    private static String signedByOldKey(String payload) throws Exception {
        String signed = "old." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(OLD_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shortSecretIsRejectedWithoutEchoingIt() {
        String shortSecret = "s".repeat(AuthKeys.SECRET_BYTES_MIN - 1);

        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> AuthKeys.parse("k1:" + shortSecret, null));

        assertTrue(failure.getMessage().contains("k1") && failure.getMessage().contains(String.valueOf(AuthKeys.SECRET_BYTES_MIN)),
                failure.getMessage());
        assertFalse(failure.getMessage().contains(shortSecret), failure.getMessage());
        assertEquals("k1", AuthKeys.parse("k1:" + "s".repeat(AuthKeys.SECRET_BYTES_MIN), null).signingKeyId());
    }

    @Test
    void duplicateKeyIdIsRejected() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> AuthKeys.parse("k1:" + OLD_SECRET + ", k1:" + NEW_SECRET, null));

        assertTrue(failure.getMessage().contains("k1") && failure.getMessage().contains("twice"), failure.getMessage());
    }

    @Test
    void malformedKeySpecsAreRejectedWithoutEchoingSecrets() {
        for (String spec : new String[] {"", OLD_SECRET, ":" + OLD_SECRET, "k1:", "bad kid:" + OLD_SECRET}) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> AuthKeys.parse(spec, null), spec);
            assertFalse(failure.getMessage().contains(OLD_SECRET), failure.getMessage());
        }
    }

    @Test
    void signingKeyMustBeAmongTheKeys() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> AuthKeys.parse("k1:" + OLD_SECRET, "k2"));

        assertTrue(failure.getMessage().contains("k2"), failure.getMessage());
    }

    @Test
    void firstListedKeySignsByDefault() {
        assertEquals("zeta", AuthKeys.parse("zeta:" + OLD_SECRET + ",alpha:" + NEW_SECRET, null).signingKeyId());
        assertEquals("zeta", AuthKeys.parse("zeta:" + OLD_SECRET + ",alpha:" + NEW_SECRET, "").signingKeyId());
        assertEquals("alpha", AuthKeys.parse("zeta:" + OLD_SECRET + ",alpha:" + NEW_SECRET, "alpha").signingKeyId());
    }

    @Test
    void toStringNamesKeyIdsButNeverSecrets() {
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put("old", OLD_SECRET.getBytes(StandardCharsets.UTF_8));
        secrets.put("new", NEW_SECRET.getBytes(StandardCharsets.UTF_8));
        String text = new AuthKeys(secrets, "new").toString() + AuthKeys.parse("old:" + OLD_SECRET + ",new:" + NEW_SECRET, null);

        assertTrue(text.contains("old") && text.contains("new"), text);
        assertFalse(text.contains(OLD_SECRET) || text.contains(NEW_SECRET), text);
    }
}

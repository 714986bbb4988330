package io.synkit.protocol.auth;

import io.synkit.protocol.user.DecimalIds;
import io.synkit.runtime.Clock;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies device tokens: {@code <kid>.<payload>.<signature>} where payload is
 * base64url({@code v1|<user id>|<device id>|<expires at ms>}) and signature is
 * base64url(HMAC-SHA256(secret[kid], "<kid>.<payload>")). The signature check is constant-time.
 */
public final class TokenCodec {

    /** Longest token accepted in characters, checked before any parsing or hashing. */
    public static final int TOKEN_CHARS_MAX = 512;

    private static final String VERSION = "v1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final AuthKeys keys;
    private final Clock clock;

    public TokenCodec(AuthKeys keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    public String issue(long userId, String deviceId, long ttlMs) {
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("ttlMs=" + ttlMs + " must be positive");
        }
        AuthToken token = new AuthToken(userId, deviceId, clock.nowMs() + ttlMs);
        String kid = keys.signingKeyId();
        String payload = ENCODER.encodeToString((VERSION + "|" + token.userId() + "|" + token.deviceId() + "|" + token.expiresAtMs())
                .getBytes(StandardCharsets.UTF_8));
        String signed = kid + "." + payload;
        return signed + "." + ENCODER.encodeToString(hmac(keys.secret(kid), signed));
    }

    public AuthToken verify(String token) throws AuthException {
        if (token.isEmpty() || token.length() > TOKEN_CHARS_MAX) {
            throw new AuthException("token must have 1.." + TOKEN_CHARS_MAX + " characters");
        }
        int firstDot = token.indexOf('.');
        int lastDot = token.lastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot) {
            throw new AuthException("token is not <kid>.<payload>.<signature>");
        }
        String kid = token.substring(0, firstDot);
        byte[] secret = keys.secret(kid);
        if (secret == null) {
            throw new AuthException("token key id is not known");
        }
        String signed = token.substring(0, lastDot);
        // Compare the canonical encoding, not decoded bytes: base64 decoders accept several
        // spellings of one signature, and a token must have exactly one.
        byte[] expected = ENCODER.encodeToString(hmac(secret, signed)).getBytes(StandardCharsets.US_ASCII);
        byte[] presented = token.substring(lastDot + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, presented)) {
            throw new AuthException("token signature does not verify");
        }
        AuthToken parsed = parsePayload(token.substring(firstDot + 1, lastDot));
        if (parsed.expiresAtMs() <= clock.nowMs()) {
            throw new AuthException("token expired at " + parsed.expiresAtMs() + " ms");
        }
        return parsed;
    }

    private static AuthToken parsePayload(String encoded) throws AuthException {
        String payload;
        try {
            payload = new String(DECODER.decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthException("token payload is not base64url");
        }
        String[] fields = payload.split("\\|", -1);
        if (fields.length != 4 || !VERSION.equals(fields[0])) {
            throw new AuthException("token payload is not a " + VERSION + " payload");
        }
        try {
            // One spelling per number: "007" or "+7" must not sign in as user 7.
            return new AuthToken(DecimalIds.parsePositive(fields[1], "user id"), fields[2], DecimalIds.parsePositive(fields[3], "expires_at_ms"));
        } catch (IllegalArgumentException e) {
            throw new AuthException("token payload is malformed: " + e.getMessage());
        }
    }

    private static byte[] hmac(byte[] secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

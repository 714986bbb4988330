package io.synkit.protocol.auth;

import io.synkit.protocol.client.ErrorCode;
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
 * base64url({@code <kind>|<user id>|<device id>|<issued at ms>|<expires at ms>}) and signature is
 * base64url(HMAC-SHA256(secret[kid], "<kid>.<payload>")). The signature check is constant-time.
 *
 * <p>Two kinds: access tokens ({@code v2}), short-lived, presented at Auth; and refresh tokens
 * ({@code r2}), long-lived, exchanged for access tokens (docs/protocol.md, Tokens). Neither is
 * accepted as the other. The issue time is the time of the login a token descends from: an access
 * token minted from a refresh token keeps the refresh token's, so revoking a device (every token
 * issued before its logout) revokes both kinds of a login at once. Access tokens of format v1
 * ({@code v1|<user id>|<device id>|<expires at ms>}, no issue time) still verify, as issued at 0,
 * so issuers can move to v2 after every access node verifies it.
 *
 * <p>Each refusal carries its code: a malformed token, one of the other kind, or a signature
 * that does not verify is AUTH_FAILED, an unknown key id TOKEN_KEY_UNKNOWN, a verified token past
 * its expiry TOKEN_EXPIRED.
 */
public final class TokenCodec {

    /** Longest token accepted in characters, checked before any parsing or hashing. */
    public static final int TOKEN_CHARS_MAX = 512;

    private static final String ACCESS = "v2";
    private static final String REFRESH = "r2";
    private static final String ACCESS_WITHOUT_ISSUE_TIME = "v1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** One HmacSHA256 per thread, keyed again for each token: looking the algorithm up in the providers cost a node in a login storm more than the hash. */
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private final AuthKeys keys;
    private final Clock clock;

    public TokenCodec(AuthKeys keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** An access token of a login now, valid for {@code ttlMs}. */
    public String issue(long userId, String deviceId, long ttlMs) {
        return sign(ACCESS, login(userId, deviceId, ttlMs));
    }

    /** A refresh token of a login now, valid for {@code ttlMs}. */
    public String issueRefresh(long userId, String deviceId, long ttlMs) {
        return sign(REFRESH, login(userId, deviceId, ttlMs));
    }

    /**
     * An access token for the login {@code refresh} stands for: its issue time is the login's, and
     * it expires after {@code ttlMs} or with the refresh token, whichever comes first.
     */
    public AuthToken access(AuthToken refresh, long ttlMs) {
        positive(ttlMs);
        return new AuthToken(refresh.userId(), refresh.deviceId(), refresh.issuedAtMs(), Math.min(refresh.expiresAtMs(), clock.nowMs() + ttlMs));
    }

    /** {@code token} as an access token signed with the signing key. */
    public String signAccess(AuthToken token) {
        return sign(ACCESS, token);
    }

    /** {@code refresh} signed with the signing key (same login and expiry): keys retire without logging anyone out. */
    public String signRefresh(AuthToken refresh) {
        return sign(REFRESH, refresh);
    }

    /** Verifies an access token (kinds v2 and v1). */
    public AuthToken verify(String token) throws AuthException {
        return verify(token, false);
    }

    /** Verifies a refresh token (kind r2). */
    public AuthToken verifyRefresh(String token) throws AuthException {
        return verify(token, true);
    }

    private AuthToken login(long userId, String deviceId, long ttlMs) {
        positive(ttlMs);
        long nowMs = clock.nowMs();
        return new AuthToken(userId, deviceId, nowMs, nowMs + ttlMs);
    }

    private static void positive(long ttlMs) {
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("ttlMs=" + ttlMs + " must be positive");
        }
    }

    private String sign(String kind, AuthToken token) {
        String kid = keys.signingKeyId();
        String payload = ENCODER.encodeToString((kind + "|" + token.userId() + "|" + token.deviceId() + "|" + token.issuedAtMs()
                + "|" + token.expiresAtMs()).getBytes(StandardCharsets.UTF_8));
        String signed = kid + "." + payload;
        return signed + "." + ENCODER.encodeToString(hmac(keys.secret(kid), signed));
    }

    private AuthToken verify(String token, boolean refresh) throws AuthException {
        if (token.isEmpty() || token.length() > TOKEN_CHARS_MAX) {
            throw new AuthException(ErrorCode.AUTH_FAILED, "token must have 1.." + TOKEN_CHARS_MAX + " characters");
        }
        int firstDot = token.indexOf('.');
        int lastDot = token.lastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot) {
            throw new AuthException(ErrorCode.AUTH_FAILED, "token is not <kid>.<payload>.<signature>");
        }
        String kid = token.substring(0, firstDot);
        byte[] secret = keys.secret(kid);
        if (secret == null) {
            throw new AuthException(ErrorCode.TOKEN_KEY_UNKNOWN, "token key id is not known");
        }
        String signed = token.substring(0, lastDot);
        // Compare the canonical encoding, not decoded bytes: base64 decoders accept several
        // spellings of one signature, and a token must have exactly one.
        byte[] expected = ENCODER.encodeToString(hmac(secret, signed)).getBytes(StandardCharsets.US_ASCII);
        byte[] presented = token.substring(lastDot + 1).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, presented)) {
            throw new AuthException(ErrorCode.AUTH_FAILED, "token signature does not verify");
        }
        AuthToken parsed = parsePayload(token.substring(firstDot + 1, lastDot), refresh);
        if (parsed.expiresAtMs() <= clock.nowMs()) {
            throw new AuthException(ErrorCode.TOKEN_EXPIRED, "token expired at " + parsed.expiresAtMs() + " ms");
        }
        return parsed;
    }

    private static AuthToken parsePayload(String encoded, boolean refresh) throws AuthException {
        String payload;
        try {
            payload = new String(DECODER.decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthException(ErrorCode.AUTH_FAILED, "token payload is not base64url");
        }
        String[] fields = payload.split("\\|", -1);
        boolean current = fields.length == 5 && (refresh ? REFRESH : ACCESS).equals(fields[0]);
        if (!current && (refresh || !(fields.length == 4 && ACCESS_WITHOUT_ISSUE_TIME.equals(fields[0])))) {
            throw new AuthException(ErrorCode.AUTH_FAILED, refresh ? "token is not a refresh token (" + REFRESH + ")"
                    : "token is not an access token (" + ACCESS + " or " + ACCESS_WITHOUT_ISSUE_TIME + ")");
        }
        try {
            // One spelling per number: "007" or "+7" must not sign in as user 7.
            long userId = DecimalIds.parsePositive(fields[1], "user id");
            long issuedAtMs = current ? DecimalIds.parsePositive(fields[3], "issued_at_ms") : 0;
            return new AuthToken(userId, fields[2], issuedAtMs, DecimalIds.parsePositive(fields[fields.length - 1], "expires_at_ms"));
        } catch (IllegalArgumentException e) {
            throw new AuthException(ErrorCode.AUTH_FAILED, "token payload is malformed: " + e.getMessage());
        }
    }

    private static byte[] hmac(byte[] secret, String data) {
        Mac mac = HMAC_SHA256.get();
        try {
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused a key", e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}

package io.synkit.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HMAC keys tokens are signed with, by key id. Tokens are signed with {@link #signingKeyId()};
 * every key listed verifies, so keys rotate without logging anyone out: add the new key, switch
 * signing to it, drop the old one after the longest token lifetime.
 *
 * <p>Config form: {@code kid1:secret1,kid2:secret2}. Secrets never appear in {@link #toString()}.
 */
public final class AuthKeys {

    /** A secret shorter than this is refused: HMAC-SHA256 wants at least 32 bytes of key. */
    public static final int SECRET_BYTES_MIN = 32;

    /** Dev-only secret of the default config; a production config must replace it. */
    public static final String DEV_KEYS = "dev:synkit-development-secret-do-not-use-in-production";

    private final Map<String, byte[]> secretsByKeyId;
    private final String signingKeyId;

    public AuthKeys(Map<String, byte[]> secretsByKeyId, String signingKeyId) {
        if (secretsByKeyId.isEmpty()) {
            throw new IllegalArgumentException("auth keys: at least one key is needed");
        }
        for (Map.Entry<String, byte[]> entry : secretsByKeyId.entrySet()) {
            checkKeyId(entry.getKey());
            if (entry.getValue().length < SECRET_BYTES_MIN) {
                throw new IllegalArgumentException("auth key '" + entry.getKey() + "' has " + entry.getValue().length
                        + " secret bytes, at least " + SECRET_BYTES_MIN + " are required");
            }
        }
        if (!secretsByKeyId.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("signing key id '" + signingKeyId + "' is not among the keys " + secretsByKeyId.keySet());
        }
        this.secretsByKeyId = Map.copyOf(secretsByKeyId);
        this.signingKeyId = signingKeyId;
    }

    /** Parses {@code kid:secret[,kid:secret...]}; the first key signs unless {@code signingKeyId} is given. */
    public static AuthKeys parse(String spec, String signingKeyId) {
        Map<String, byte[]> keys = new TreeMap<>();
        String first = null;
        for (String item : spec.split(",")) {
            int colon = item.indexOf(':');
            if (colon <= 0 || colon == item.length() - 1) {
                throw new IllegalArgumentException("auth key entry must be <kid>:<secret>, got an entry of " + item.length() + " characters");
            }
            String kid = item.substring(0, colon).trim();
            if (keys.put(kid, item.substring(colon + 1).getBytes(StandardCharsets.UTF_8)) != null) {
                throw new IllegalArgumentException("auth key id '" + kid + "' is listed twice");
            }
            first = first == null ? kid : first;
        }
        return new AuthKeys(keys, signingKeyId == null || signingKeyId.isEmpty() ? first : signingKeyId);
    }

    public static AuthKeys dev() {
        return parse(DEV_KEYS, null);
    }

    static void checkKeyId(String keyId) {
        if (!keyId.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("auth key id '" + keyId + "' must be 1-32 of [A-Za-z0-9_-]");
        }
    }

    public String signingKeyId() {
        return signingKeyId;
    }

    byte[] secret(String keyId) {
        return secretsByKeyId.get(keyId);
    }

    @Override
    public String toString() {
        return "AuthKeys{keyIds=" + new TreeMap<>(secretsByKeyId).keySet() + ", signing=" + signingKeyId + "}";
    }
}

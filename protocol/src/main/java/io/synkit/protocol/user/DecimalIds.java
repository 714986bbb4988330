package io.synkit.protocol.user;

/**
 * The one canonical decimal spelling of the positive int64 numbers that name things on the wire
 * (user ids in conversation ids and tokens, token expiry times): {@code [1-9][0-9]{0,18}} and at
 * most {@link Long#MAX_VALUE}. No sign, no leading zero, no whitespace: {@code "007"} and
 * {@code "+7"} are not 7, so two spellings can never name one user.
 */
public final class DecimalIds {

    /** Digits of {@link Long#MAX_VALUE}. */
    public static final int DIGITS_MAX = 19;

    private DecimalIds() {
    }

    /**
     * Parses a canonical positive decimal.
     *
     * @throws IllegalArgumentException naming {@code what} when {@code text} is not canonical or
     *         not below 2^63
     */
    public static long parsePositive(String text, String what) {
        if (!isCanonicalPositive(text)) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a positive decimal without sign or leading zeros");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is above " + Long.MAX_VALUE, e);
        }
    }

    /** {@code [1-9][0-9]{0,18}}, checked by hand: this runs for every message on the hot path. */
    static boolean isCanonicalPositive(String text) {
        if (text.isEmpty() || text.length() > DIGITS_MAX || text.charAt(0) < '1' || text.charAt(0) > '9') {
            return false;
        }
        for (int i = 1; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

package io.synkit.runtime.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One log event as one JSON line: {@code ts} (ISO-8601 UTC with milliseconds, the first field, so
 * the lines of different nodes sort and line up), {@code level}, {@code logger}, {@code thread},
 * {@code msg}; then every {@code key=value} pair of the message as a field of its own (our log
 * messages carry their correlation ids so: {@code set=s1 replica=0 epoch=5}, {@code user=},
 * {@code device=}, {@code request=}, {@code conv=}), then the MDC's entries, then {@code error}
 * with the stack trace. Values of secret-looking keys (a token, a secret, a password, auth keys)
 * are replaced by {@value #REDACTED}, in the message text too: no secret reaches a log.
 */
final class JsonLine {

    static final String REDACTED = "[redacted]";
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern PAIR = Pattern.compile("(?<![\\w.])([a-z][a-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s,;)]+)");
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|secret|password|passwd|auth_keys|signing_key|private_key).*");
    private static final Set<String> RESERVED = Set.of("ts", "level", "logger", "thread", "msg", "error");

    private JsonLine() {
    }

    static String format(Instant at, String level, String logger, String thread, String message, Map<String, String> mdc, Throwable error) {
        String redacted = redact(message);
        StringBuilder line = new StringBuilder(256);
        line.append("{\"ts\":\"").append(TS.format(at)).append('"');
        field(line, "level", level);
        field(line, "logger", logger);
        field(line, "thread", thread);
        field(line, "msg", redacted);
        Matcher pair = PAIR.matcher(redacted);
        Set<String> written = new HashSet<>(RESERVED);
        while (pair.find()) {
            String key = pair.group(1);
            if (written.add(key)) {
                String value = pair.group(2);
                field(line, key, value.startsWith("\"") && value.length() >= 2 ? value.substring(1, value.length() - 1) : value);
            }
        }
        if (mdc != null) {
            mdc.forEach((key, value) -> {
                if (written.add(key)) {
                    field(line, key, SECRET_KEY.matcher(key).matches() ? REDACTED : value);
                }
            });
        }
        if (error != null) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            field(line, "error", redact(trace.toString()));
        }
        return line.append('}').toString();
    }

    /** Every {@code key=value} whose key looks secret, with its value replaced. */
    static String redact(String text) {
        if (text == null) {
            return "";
        }
        Matcher pair = PAIR.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (pair.find()) {
            String replacement = SECRET_KEY.matcher(pair.group(1)).matches() ? pair.group(1) + "=" + REDACTED : pair.group();
            pair.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        pair.appendTail(out);
        return out.toString();
    }

    private static void field(StringBuilder line, String key, String value) {
        line.append(",\"").append(key).append("\":\"");
        escape(line, value);
        line.append('"');
    }

    private static void escape(StringBuilder line, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20) {
                        line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
    }
}

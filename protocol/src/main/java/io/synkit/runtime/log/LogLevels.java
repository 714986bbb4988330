package io.synkit.runtime.log;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.event.Level;

/**
 * The log level of every logger, changeable while the process runs: a root level (JVM property
 * {@value #ROOT_PROPERTY}, default INFO) and levels set for logger name prefixes (a package or a
 * class), the longest matching prefix winning. Admin HTTP {@code /log/level} reads and sets them.
 * Loggers cache their level and look again when {@link #version()} moved.
 */
public final class LogLevels {

    public static final String ROOT_PROPERTY = "synkit.log.level";
    static final String ROOT = "root";

    private static final Map<String, Level> byPrefix = new TreeMap<>();
    private static final AtomicLong version = new AtomicLong();

    static {
        byPrefix.put(ROOT, parse(System.getProperty(ROOT_PROPERTY, "INFO")));
    }

    private LogLevels() {
    }

    /** {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN} or {@code ERROR}, any case; throws naming the value otherwise. */
    public static Level parse(String level) {
        try {
            return Level.valueOf(level.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log level '" + level + "' is not one of TRACE, DEBUG, INFO, WARN, ERROR");
        }
    }

    /** Sets the level of every logger whose name is {@code prefix} or starts with {@code prefix + "."} ({@code root}: all others). */
    public static synchronized void set(String prefix, Level level) {
        byPrefix.put(prefix, level);
        version.incrementAndGet();
    }

    /** Every level set, {@code root} first: {@code root=INFO io.synkit.store=DEBUG}. */
    public static synchronized String describe() {
        StringBuilder text = new StringBuilder(ROOT + "=" + byPrefix.get(ROOT));
        byPrefix.forEach((prefix, level) -> {
            if (!prefix.equals(ROOT)) {
                text.append(' ').append(prefix).append('=').append(level);
            }
        });
        return text.toString();
    }

    static synchronized Level levelOf(String logger) {
        String best = ROOT;
        for (String prefix : byPrefix.keySet()) {
            boolean matches = logger.equals(prefix) || logger.startsWith(prefix + ".");
            if (matches && (best.equals(ROOT) || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return byPrefix.get(best);
    }

    static long version() {
        return version.get();
    }
}

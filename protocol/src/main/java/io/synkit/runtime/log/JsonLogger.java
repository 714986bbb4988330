package io.synkit.runtime.log;

import java.io.PrintStream;
import java.time.Instant;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger writing {@link JsonLine}s to stderr, one line per event (written whole, so lines
 * of different threads never interleave). Its level follows {@link LogLevels}, looked up again
 * whenever a level was changed.
 */
final class JsonLogger extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    private transient volatile long levelVersion = -1;
    private transient volatile Level level = Level.INFO;

    JsonLogger(String name) {
        this.name = name;
    }

    private boolean enabled(Level wanted) {
        long now = LogLevels.version();
        if (now != levelVersion) {
            level = LogLevels.levelOf(name);
            levelVersion = now;
        }
        return wanted.toInt() >= level.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level event, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        String message = MessageFormatter.basicArrayFormat(pattern, arguments);
        String line = JsonLine.format(Instant.now(), event.name(), name, Thread.currentThread().getName(), message, MDC.getCopyOfContextMap(), throwable);
        PrintStream err = System.err;
        synchronized (err) {
            err.println(line);
        }
    }
}
